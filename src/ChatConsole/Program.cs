using System.Text;
using ImOrleans.ChatConsole;
using ImOrleans.Client;

Console.OutputEncoding = Encoding.UTF8;
if (ConsoleArguments.Parse(args, Console.Error) is not { } arguments)
{
    return 2;
}

if (arguments.MintTokenOnly)
{
    Console.WriteLine(DevTokens.Mint(arguments.User, arguments.Key));
    return 0;
}

var options = new ImClientOptions
{
    UserId = arguments.User,
    DeviceId = arguments.Device,
    Platform = "console",
    Endpoints = [.. arguments.Server.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ImClientOptions.ParseEndpoint)],
    TokenProvider = DevTokens.Provider(arguments.User, arguments.Key),
};

await using var client = new ImClient(options);
var session = new ChatSession(client, Console.Out);
session.Attach();
try
{
    await client.ConnectAsync();
}
catch (Exception ex) when (ex is ImServerException or ImConnectionException)
{
    Console.Error.WriteLine($"login failed: {ex.Message}");
    return 1;
}

Console.WriteLine($"logged in as {arguments.User}; /to <user> to pick a peer, /quit to leave");
while (Console.ReadLine() is { } line)
{
    try
    {
        if (!await session.HandleAsync(line))
        {
            break;
        }
    }
    catch (Exception ex) when (ex is ImServerException or ImConnectionException or TimeoutException or InvalidOperationException)
    {
        Console.WriteLine($"! {ex.Message}");
    }
}

if (client.State == ImClientState.Connected)
{
    try
    {
        await client.LogoutAsync();
    }
    catch (Exception ex) when (ex is ImServerException or ImConnectionException or TimeoutException)
    {
        Console.Error.WriteLine($"logout: {ex.Message}");
    }
}

return 0;
