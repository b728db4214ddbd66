namespace ImOrleans.EndToEnd.Tests;

/// <summary>One running server shared by the tests of a collection; tests use distinct user ids.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "shared server";
}
