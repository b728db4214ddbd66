using ImOrleans.Protocol;
using static ImOrleans.Grains.Tests.TestExtensions;

namespace ImOrleans.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SessionTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Every_device_of_the_receiver_and_of_the_sender_gets_the_message()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var alicePhone = await TestSession.ConnectAsync(fixture, alice, "phone");
        var aliceLaptop = await TestSession.ConnectAsync(fixture, alice, "laptop");
        var bobPhone = await TestSession.ConnectAsync(fixture, bob, "phone");
        var bobTablet = await TestSession.ConnectAsync(fixture, bob, "tablet");
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));

        var sent = await chat.Send(alice, Text("lunch?")).WithDeadline();

        foreach (var device in new[] { bobPhone, bobTablet, aliceLaptop, alicePhone })
        {
            var pushed = await device.NextMessageAsync();
            Assert.Equal(sent.Seq, pushed.Seq);
            Assert.Equal("lunch?", pushed.Content);
            Assert.Equal(alice, pushed.SenderId);
            Assert.Equal(chat.GetPrimaryKeyString(), pushed.ConversationId);
        }
    }

    [Fact]
    public async Task A_second_login_on_the_same_device_kicks_the_first_session()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var oldPhone = await TestSession.ConnectAsync(fixture, alice, "phone");
        var laptop = await TestSession.ConnectAsync(fixture, alice, "laptop");

        var newPhone = await TestSession.ConnectAsync(fixture, alice, "phone");

        var (reason, _) = await oldPhone.KickedAsync();
        Assert.Equal(KickReason.ReplacedByNewLogin, reason);
        var presence = await fixture.User(alice).GetPresence().WithDeadline();
        Assert.True(presence.Online);
        Assert.Equal(2, presence.Sessions);
        Assert.False(await fixture.User(alice).RenewSession(oldPhone.Info.SessionId, oldPhone.Reference).WithDeadline());
        Assert.True(await fixture.User(alice).RenewSession(newPhone.Info.SessionId, newPhone.Reference).WithDeadline());

        await fixture.Conversation(Identifiers.SingleConversation(alice, bob)).Send(bob, Text("still there?")).WithDeadline();
        Assert.Equal("still there?", (await newPhone.NextMessageAsync()).Content);
        Assert.Equal("still there?", (await laptop.NextMessageAsync()).Content);
    }

    [Fact]
    public async Task Presence_follows_sessions_and_remembers_when_the_user_went_offline()
    {
        var alice = NewUser("alice");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.False((await fixture.User(alice).GetPresence().WithDeadline()).Online);

        var phone = await TestSession.ConnectAsync(fixture, alice, "phone");
        var online = await fixture.User(alice).GetPresence().WithDeadline();
        await fixture.User(alice).Disconnect(phone.Info.SessionId).WithDeadline();
        var offline = await fixture.User(alice).GetPresence().WithDeadline();

        Assert.True(online.Online);
        Assert.Equal(1, online.Sessions);
        Assert.True(online.SinceMs >= before);
        Assert.False(offline.Online);
        Assert.Equal(0, offline.Sessions);
        Assert.True(offline.SinceMs >= online.SinceMs);
    }
}
