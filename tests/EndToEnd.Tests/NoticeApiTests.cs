using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>A business service pushes notices through the HTTP API (R11); users get them on their sockets.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class NoticeApiTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task An_online_user_gets_a_notice_at_once_an_offline_one_on_login_and_the_acks_are_recorded()
    {
        using var http = Http(TestServer.NoticeServiceKey);
        await using var online = await ChatUser.ConnectAsync(Server, "nt-online");

        var response = await http.PostAsJsonAsync("/notices", new
        {
            userIds = new[] { "nt-online", "nt-offline" },
            noticeId = "payment-42",
            source = "payments",
            content = "Your payment of 42.00 succeeded",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notices").EnumerateArray().ToList();
        Assert.Equal(["n:nt-online", "n:nt-offline"], results.Select(r => r.GetProperty("conversationId").GetString()));
        Assert.All(results, r => Assert.Equal(1, r.GetProperty("seq").GetInt64()));

        await online.WaitUntilAsync(u => u.Notices.Count == 1, "the notice push");
        var notice = online.Notices.Single();
        Assert.Equal(("n:nt-online", "payments", "Your payment of 42.00 succeeded"), (notice.ConversationId, notice.SenderId, notice.Content));
        Assert.Empty(online.Messages);
        await WaitDeliveredAsync(http, "nt-online", 1);

        await using (var offline = await ChatUser.ConnectAsync(Server, "nt-offline"))
        {
            await offline.WaitUntilAsync(u => u.Notices.Count == 1, "the notice found by the sync");
            var listed = (await offline.Client.GetConversationsAsync()).Conversations.Single();
            Assert.Equal(("n:nt-offline", ConversationType.System), (listed.ConversationId, listed.Type));
            await WaitDeliveredAsync(http, "nt-offline", 1);
        }

        // The same notice id from the same source again (a retry) stores nothing new.
        var again = await http.PostAsJsonAsync("/notices", new { userIds = new[] { "nt-online" }, noticeId = "payment-42", source = "payments", content = "Your payment of 42.00 succeeded" });
        var repeated = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notices")[0];
        Assert.Equal((1L, true), (repeated.GetProperty("seq").GetInt64(), repeated.GetProperty("duplicate").GetBoolean()));
    }

    [Fact]
    public async Task The_api_refuses_callers_without_the_key_and_bad_requests_with_a_code()
    {
        using var anonymous = Http(null);
        using var wrongKey = Http("not-the-right-key-at-all");
        using var service = Http(TestServer.NoticeServiceKey);
        var body = new { userIds = new[] { "nt-refused" }, noticeId = "n-1", content = "hi" };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/notices", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.PostAsJsonAsync("/notices", body)).StatusCode);
        var badUser = await service.PostAsJsonAsync("/notices", new { userIds = new[] { "no spaces" }, noticeId = "n-1", content = "hi" });
        var noId = await service.PostAsJsonAsync("/notices", new { userIds = new[] { "nt-refused" }, content = "hi" });
        var voiceWithoutFile = await service.PostAsJsonAsync("/notices", new { userIds = new[] { "nt-refused" }, noticeId = "n-2", type = 2 });

        foreach (var refused in new[] { badUser, noId, voiceWithoutFile })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal((uint)ErrorCode.InvalidArgument, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetUInt32());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await service.GetAsync("/notices/nt-refused/1")).StatusCode);
    }

    private HttpClient Http(string? key)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{Server.Http}"), Timeout = TimeSpan.FromSeconds(15) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-Service-Key", key);
        }

        return http;
    }

    /// <summary>The client acks a notice on its own, after raising it: ask the status API until the ack shows.</summary>
    private static async Task WaitDeliveredAsync(HttpClient http, string userId, long seq)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var status = await http.GetFromJsonAsync<JsonElement>($"/notices/{userId}/{seq}", deadline.Token);
            if (status.GetProperty("delivered").GetBoolean())
            {
                return;
            }

            Assert.False(deadline.IsCancellationRequested, $"{userId}'s ack of notice {seq} was not recorded in time");
        }
    }
}
