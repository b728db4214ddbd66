using ImOrleans.Silo;

try
{
    await using var server = ImOrleansServer.Create(args);
    await server.StartAsync();
    Console.WriteLine($"ImOrleans is running. Clients connect to tcp://{server.EdgeEndpoint}; HTTP on http://{server.HttpEndpoint}. Press Ctrl+C to stop.");
    await server.WaitForShutdownAsync();
    return 0;
}
catch (InvalidSettingsException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
