using System.Net.Sockets;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>Heartbeats, idle and handshake deadlines, logout (R3, R4, R6).</summary>
public sealed class ConnectionLifecycleTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Edge:IdleTimeout"] = "00:00:02",
        ["Edge:HeartbeatInterval"] = "00:00:00.500",
        ["Edge:HandshakeTimeout"] = "00:00:02",
        ["Edge:SweepInterval"] = "00:00:00.200",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Login_answers_with_a_session_and_the_heartbeat_settings()
    {
        await using var raw = await RawConnection.ConnectAsync(_server.Edge);

        var login = await raw.LoginAsync("lc-frank", _server.TokenFor("lc-frank"));

        Assert.Equal((500, 2000), (login.HeartbeatIntervalMs, login.IdleTimeoutMs));
        Assert.False(string.IsNullOrEmpty(login.SessionId));
    }

    [Fact]
    public async Task A_connection_that_goes_silent_is_closed_and_the_user_goes_offline()
    {
        await using var raw = await RawConnection.ConnectAsync(_server.Edge);
        await raw.LoginAsync("lc-silent", _server.TokenFor("lc-silent"));
        var user = _server.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(GrainKeys.User("lc-silent"));
        Assert.True((await user.GetPresence()).Online);

        await raw.WaitClosedAsync();

        await WaitUntilAsync(async () => !(await user.GetPresence()).Online);
    }

    [Fact]
    public async Task A_connection_that_never_logs_in_is_closed_after_the_handshake_timeout()
    {
        await using var raw = await RawConnection.ConnectAsync(_server.Edge);

        await raw.WaitClosedAsync();
    }

    [Fact]
    public async Task A_connection_that_heartbeats_and_asks_but_never_logs_in_is_still_closed_at_the_handshake_timeout()
    {
        await using var raw = await RawConnection.ConnectAsync(_server.Edge);
        var opened = DateTime.UtcNow;

        // Every frame is answered (heartbeats, NotLoggedIn), so the idle clock never runs out: only the handshake
        // clock, which stops while a frame is handled and must start again after it, can close this connection.
        var stillOpen = true;
        while (stillOpen && DateTime.UtcNow - opened < TimeSpan.FromSeconds(8))
        {
            try
            {
                var heartbeat = await raw.SendAsync(CommandCode.Heartbeat, new HeartbeatRequest());
                Assert.False((await raw.ReadResponseAsync(heartbeat)).Header.IsError);
                var pull = await raw.SendAsync(CommandCode.GetConversations, new GetConversationsRequest());
                Assert.Equal((uint)ErrorCode.NotLoggedIn, (await raw.ReadErrorAsync(pull)).Code);
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
            {
                stillOpen = false; // Closed by the server while we were writing or reading.
            }

            if (stillOpen)
            {
                // The cadence of a client heartbeating faster than told (every 500 ms here), well inside the idle timeout.
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }

        if (stillOpen)
        {
            await raw.WaitClosedAsync();
        }

        Assert.InRange(DateTime.UtcNow - opened, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task A_client_that_heartbeats_stays_connected_past_the_idle_timeout()
    {
        await using var user = await ChatUser.ConnectAsync(_server, "lc-alive", tune: o => o with { HeartbeatInterval = TimeSpan.FromMilliseconds(300) });
        await using var peer = await ChatUser.ConnectAsync(_server, "lc-peer");
        var conversation = Identifiers.SingleConversation("lc-alive", "lc-peer");

        var session = user.Client.SessionId;

        // Three idle timeouts' worth of messages, one every half second: the session must carry them all.
        for (var i = 1; i <= 12; i++)
        {
            await peer.SendAsync("lc-alive", $"tick {i}");
            await user.WaitForMessagesAsync(conversation, i);
            using var pause = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            await pause.WaitForNextTickAsync();
        }

        Assert.Equal(session, user.Client.SessionId);
        Assert.Equal(Client.ImClientState.Connected, user.Client.State);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), user.MessagesIn(conversation).Select(m => m.Seq));
    }

    [Fact]
    public async Task Logout_is_acknowledged_the_connection_closes_and_the_user_goes_offline()
    {
        await using var raw = await RawConnection.ConnectAsync(_server.Edge);
        await raw.LoginAsync("lc-leaving", _server.TokenFor("lc-leaving"));
        var user = _server.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(GrainKeys.User("lc-leaving"));

        var id = await raw.SendAsync(CommandCode.Logout, new LogoutRequest());

        var (header, _) = await raw.ReadResponseAsync(id);
        Assert.False(header.IsError);
        await raw.WaitClosedAsync();
        await WaitUntilAsync(async () => !(await user.GetPresence()).Online);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached before the deadline");
            await tick.WaitForNextTickAsync();
        }
    }
}
