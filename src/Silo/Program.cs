using ImOrleans.Silo;

try
{
    await using var server = ImOrleansServer.Create(args);
    await server.StartAsync();
    if (server.UsesDevelopmentSigningKey)
    {
        Console.Error.WriteLine("warning: Auth:SigningKey is the development key from appsettings.json; set your own before exposing the edge.");
    }

    var clients = server.EdgeEndpoint is { } edge ? $"Clients connect to tcp://{edge}" : "No co-hosted edge (Cluster:HostEdge false)";
    Console.WriteLine($"ImOrleans is running. {clients}; HTTP on http://{server.HttpEndpoint} (/navigation lists the edges). Press Ctrl+C to stop.");
    await server.WaitForShutdownAsync();
    return 0;
}
catch (InvalidSettingsException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
