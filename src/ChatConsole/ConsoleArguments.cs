using ImOrleans.Client;

namespace ImOrleans.ChatConsole;

/// <summary>Command line of the console client, parsed by hand to stay dependency-free.</summary>
internal sealed record ConsoleArguments(string User, string Server, string Device, string Key, bool MintTokenOnly)
{
    public const string Usage =
        "usage: ImOrleans.ChatConsole --user <id> [--server host:port[,host:port...]] [--device <id>] [--key <signing key>]\n"
        + "       ImOrleans.ChatConsole --mint-token <id> [--key <signing key>]   (prints a development token)";

    public static ConsoleArguments? Parse(string[] args, TextWriter error)
    {
        string? user = null;
        var server = "127.0.0.1:7100";
        var device = "console-1";
        var key = DevTokens.DevelopmentSigningKey;
        var mintTokenOnly = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                error.WriteLine(Usage);
                return null;
            }

            if (i + 1 >= args.Length)
            {
                error.WriteLine($"{name} needs a value.\n{Usage}");
                return null;
            }

            var value = args[++i];
            switch (name)
            {
                case "--user": user = value; break;
                case "--mint-token": user = value; mintTokenOnly = true; break;
                case "--server": server = value; break;
                case "--device": device = value; break;
                case "--key": key = value; break;
                default:
                    error.WriteLine($"Unknown option {name}.\n{Usage}");
                    return null;
            }
        }

        if (user is null)
        {
            error.WriteLine($"--user (or --mint-token) is required.\n{Usage}");
            return null;
        }

        return new ConsoleArguments(user, server, device, key, mintTokenOnly);
    }
}
