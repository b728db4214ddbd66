using System.Net;
using ImOrleans.LoadTest.Churn;
using ImOrleans.LoadTest.Cli;
using ImOrleans.LoadTest.Reports;
using ImOrleans.LoadTest.Scenarios;

namespace ImOrleans.LoadTest.Tests;

/// <summary>
/// Each scenario, run for a few seconds with a handful of users against the real server, loses nothing, sees no
/// duplicate, and reports counts that add up. No timing is asserted: the machine is shared.
/// </summary>
[Collection(LoadTestServerCollection.Name)]
public sealed class ScenarioTests(LoadTestServer server)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Closed_loop_chat_delivers_every_acked_message_once()
    {
        var settings = server.Settings(users: 12, seconds: 2) with { Window = 2, Peers = 3 };

        var report = await new ChatScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        AssertChatCountsAddUp(report, settings.Users);
        Assert.Null(report.SendLag); // Closed loop sends on answers: nothing is due, so nothing is late.
    }

    [Fact]
    public async Task Closed_loop_chat_with_coalesced_acks_still_acks_every_conversation_to_the_end()
    {
        var settings = server.Settings(users: 8, seconds: 2) with { Window = 4, Peers = 2, AckDelayMs = 100 };

        var report = await new ChatScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        AssertChatCountsAddUp(report, settings.Users);
        Assert.Contains("acks every 100 ms", report.Mode);
    }

    [Fact]
    public async Task Chat_through_navigation_opens_its_sessions_on_the_edge_navigation_lists()
    {
        // --server names a port nothing listens on: the run only works if the sessions go where navigation says.
        var given = server.Settings(users: 10, seconds: 2) with
        {
            Servers = [new IPEndPoint(IPAddress.Loopback, 9)],
            NavigationUrls = [server.Navigation],
            Window = 2,
            Peers = 3,
        };

        var settings = await EdgeNavigation.ResolveAsync(given, EdgeNavigation.DefaultDeadline, CancellationToken.None).WaitAsync(Deadline);
        var report = await new ChatScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal([server.Edge], settings.Servers);
        AssertChatCountsAddUp(report, settings.Users);
    }

    [Fact]
    public async Task A_navigation_endpoint_that_never_answers_is_an_error_once_the_deadline_passes()
    {
        var given = server.Settings(users: 1, seconds: 1) with { NavigationUrls = [new Uri("http://127.0.0.1:9/navigation")] };

        var failure = await Assert.ThrowsAsync<Client.ImConnectionException>(
            () => EdgeNavigation.ResolveAsync(given, TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(Deadline));

        Assert.Contains("127.0.0.1:9", failure.Message);
    }

    [Fact]
    public async Task Open_loop_chat_delivers_every_acked_message_once()
    {
        var settings = server.Settings(users: 10, seconds: 2) with { Rate = 200, Peers = 0, BodySize = 100 };

        var report = await new ChatScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        AssertChatCountsAddUp(report, settings.Users);
        Assert.Equal(0, report.BacklogDropped);

        // How late the load tester wrote its sends: one figure per send of the measured window, which the run sent.
        Assert.NotNull(report.SendLag);
        Assert.InRange(report.SendLag.Count, 1, report.Sent!.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(150)]
    public async Task Chat_opens_every_conversation_before_the_warm_up_and_counts_the_opening_messages(double rate)
    {
        var settings = server.Settings(users: 10, seconds: 2) with { Window = 2, Rate = rate, Peers = 3 };
        long pairs = 0;
        Contacts.Build(settings, settings.Users, (_, _, _) => pairs++);

        var report = await new ChatScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        AssertChatCountsAddUp(report, settings.Users);
        Assert.True(report.OpeningCompleted, "the opening phase did not complete: " + report.ToJson());
        Assert.Equal(pairs, report.ConversationsOpened);
        Assert.True(report.OpeningSeconds > 0, report.ToJson());
        Assert.Equal(report.Sent, report.Acked);
        Assert.True(report.Sent > pairs, "nothing was sent after the opening phase");
        // Every opening message was delivered before the warm-up, whose latencies are not kept.
        Assert.InRange(report.Latency!.Count, 1, report.Delivered!.Value - pairs);
    }

    [Fact]
    public async Task Chat_without_the_opening_phase_reports_none()
    {
        var settings = server.Settings(users: 6, seconds: 1) with { Window = 2, Peers = 2, OpenConversations = false };

        var report = await new ChatScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        AssertChatCountsAddUp(report, settings.Users);
        Assert.Null(report.ConversationsOpened);
        Assert.Null(report.OpeningSeconds);
        Assert.Null(report.OpeningCompleted);
    }

    [Fact]
    public async Task Connect_logs_every_session_in_and_holds_it()
    {
        var settings = server.Settings(users: 30, seconds: 1) with { Ramp = 200 };

        var report = await new ConnectScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(30, report.SessionsOnline);
        Assert.Equal(0, report.LoginFailures);
        Assert.True(report.Dropped == 0, "sessions were dropped: " + report.ToJson());
        Assert.True(report.LoginsPerSecond > 0);
        Assert.NotNull(report.ServerRssMiB);
    }

    [Fact]
    public async Task Connect_warms_the_server_with_other_users_and_closes_them_before_the_baseline()
    {
        var settings = server.Settings(users: 20, seconds: 1) with { Ramp = 200, WarmupSessions = 8 };

        var report = await new ConnectScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(20, report.SessionsOnline);
        Assert.Equal(0, report.LoginFailures);
        Assert.True(report.Dropped == 0, "sessions were dropped: " + report.ToJson());
        Assert.Equal(8, report.WarmupSessions);
        Assert.NotNull(report.ServerRssColdBaselineMiB);
        Assert.NotNull(report.RssPerSessionColdKiB);

        // Each warm-up user was online (the server recorded when it left) and none is any more.
        var warm = settings.WarmupUsers();
        using var timeout = new CancellationTokenSource(Deadline);
        for (var i = 0; i < warm.Users; i++)
        {
            var user = server.Grains.GetGrain<Grains.IUserGrain>(Grains.GrainKeys.User(warm.UserId(i)));
            var presence = await user.GetPresence();
            while (presence.Online)
            {
                await Task.Delay(50, timeout.Token);
                presence = await user.GetPresence();
            }

            Assert.True(presence.SinceMs > 0, $"{warm.UserId(i)} never logged in");
        }
    }

    [Fact]
    public async Task Group_messages_reach_every_online_member()
    {
        var settings = server.Settings(users: 1, seconds: 2) with { GroupMembers = 150, GroupOnline = 12, GroupSenders = 3, Rate = 30 };

        var report = await new GroupScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(12, report.SessionsOnline);
        Assert.Equal(0, report.LoginFailures);
        Assert.True(report.Dropped == 0, "sessions were dropped: " + report.ToJson());
        Assert.True(report.Drained, "the drain deadline passed: " + report.ToJson());
        Assert.True(report.Acked > 0, "nothing was acked");
        Assert.Equal(report.Sent, report.Acked + report.SendErrors);
        Assert.Equal(0, report.IncompleteMessages);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicates);
        // Every acked message reached the 11 online members other than its sender.
        Assert.Equal(report.Acked * 11, report.Delivered);
        Assert.NotNull(report.TimeToLastDelivery);
        Assert.True(report.TimeToLastDelivery.Count > 0);
        Assert.NotNull(report.SendLag);
        Assert.InRange(report.SendLag.Count, 1, report.Sent!.Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Churn_cuts_links_and_the_sdk_resyncs_without_loss(bool primed)
    {
        var settings = server.Settings(users: 6, seconds: 3) with
        {
            Rate = 40,
            Peers = 2,
            ChurnFraction = 0.5,
            ChurnInterval = TimeSpan.FromMilliseconds(300),
            // Unprimed, a client may first hear of a conversation in the sync after a cut (the first-sight path).
            ChurnPrime = primed,
        };

        var report = await new ChurnScenario(settings).RunAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(3, report.ChurningSessions);
        Assert.True(report.Cuts > 0, "no link was cut");
        Assert.True(report.ResyncTimeouts == 0, report.ToJson());
        Assert.True(report.Drained, report.ToJson());
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicates);
        Assert.True(report.Sent > 0);
        Assert.Equal(report.Sent, report.Acked + report.SendErrors);
        Assert.Equal(report.Acked, report.Delivered);
    }

    private static void AssertChatCountsAddUp(RunReport report, int users)
    {
        Assert.Equal(users, report.SessionsOnline);
        Assert.Equal(0, report.LoginFailures);
        Assert.True(report.Dropped == 0, "sessions were dropped: " + report.ToJson());
        Assert.True(report.Sent > 0, "nothing was sent");
        Assert.True(report.Drained, "the drain deadline passed: " + report.ToJson());
        Assert.True(report.Acked <= report.Sent);
        Assert.Equal(report.Sent, report.Acked + report.SendErrors);
        Assert.Equal(report.Acked, report.Delivered);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicates);
        Assert.NotNull(report.Latency);
        Assert.InRange(report.Latency.Count, 1, report.Delivered!.Value);
        Assert.True(report.DeliveryAcksSent > 0, "the clients never acked a delivery");

        // A share of the measured time: a pause counted in the wrong unit, or from before the window, falls outside.
        Assert.InRange(report.LoadTesterGcPausePercent, 0, 100);
    }
}
