using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>The conversation list (R20, R21) with 1:1 chats and groups, as two devices of one user see it.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class ConversationListTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task The_list_is_newest_first_with_names_unread_counts_and_flags_and_reading_on_one_device_clears_the_other()
    {
        await using var phone = await ChatUser.ConnectAsync(Server, "cl-user", "phone");
        await using var laptop = await ChatUser.ConnectAsync(Server, "cl-user", "laptop");
        await using var friend = await ChatUser.ConnectAsync(Server, "cl-friend");
        var work = (await friend.Client.CreateGroupAsync("Work", ["cl-user"], avatar: "https://cdn.example/work.png", groupId: "cl-work")).Group;
        await friend.Client.SendTextAsync(work.ConversationId, "standup in 5").WaitAsync(TimeSpan.FromSeconds(15));
        await friend.SendAsync("cl-user", "lunch?");
        var family = (await friend.Client.CreateGroupAsync("Family", ["cl-user"], groupId: "cl-family")).Group;
        await friend.Client.SendTextAsync(family.ConversationId, "dinner at 7").WaitAsync(TimeSpan.FromSeconds(15));
        await friend.Client.SendTextAsync(family.ConversationId, "bring wine").WaitAsync(TimeSpan.FromSeconds(15));
        await laptop.WaitForMessagesAsync(family.ConversationId, 3);

        var list = (await laptop.Client.GetConversationsAsync()).Conversations;

        Assert.Equal([family.ConversationId, Identifiers.SingleConversation("cl-friend", "cl-user"), work.ConversationId], list.Select(c => c.ConversationId));
        Assert.Equal(["Family", "", "Work"], list.Select(c => c.Name));
        Assert.Equal([3L, 1L, 2L], list.Select(c => c.Unread));
        Assert.Equal(("bring wine", "cl-friend"), (list[0].LastMessage.Content, list[0].LastMessage.SenderId));
        Assert.Equal((ConversationType.Group, "https://cdn.example/work.png"), (list[2].Type, list[2].Avatar));

        var read = await phone.Client.MarkReadAsync(family.ConversationId, 3);
        var muted = await phone.Client.SetMutedAsync(work.ConversationId, true);

        Assert.Equal((3L, 0L), (read.ReadSeq, read.Unread));
        Assert.True(muted.Conversation.Muted);
        await laptop.WaitUntilAsync(u => u.Receipts.Any(r => r.ConversationId == family.ConversationId && r.UserId == "cl-user" && r.ReadSeq == 3),
            "the phone's read state");
        list = (await laptop.Client.GetConversationsAsync()).Conversations;
        Assert.Equal([0L, 1L, 2L], list.Select(c => c.Unread));
        Assert.Equal([false, false, true], list.Select(c => c.Muted));

        // Leaving a group keeps it listed, marked quit, its last message the leave event; a newer message elsewhere
        // goes on top. The second page starts after the first entry.
        await phone.Client.LeaveGroupAsync(work.GroupId);
        await friend.SendAsync("cl-user", "still there?");
        await laptop.WaitForMessagesAsync(Identifiers.SingleConversation("cl-friend", "cl-user"), 2);
        var page = await laptop.Client.GetConversationsAsync(limit: 2, offset: 1);
        Assert.Equal(3, page.Total);
        Assert.Equal([work.ConversationId, family.ConversationId], page.Conversations.Select(c => c.ConversationId));
        Assert.Equal((true, 3L, 0L), (page.Conversations[0].Quit, page.Conversations[0].MaxSeq, page.Conversations[0].Unread));
        Assert.Equal(MessageType.GroupEvent, page.Conversations[0].LastMessage.Type);
    }

    [Fact]
    public async Task Deleting_a_message_hides_it_on_every_device_of_that_user_only()
    {
        await using var phone = await ChatUser.ConnectAsync(Server, "del-user", "phone");
        await using var laptop = await ChatUser.ConnectAsync(Server, "del-user", "laptop");
        await using var friend = await ChatUser.ConnectAsync(Server, "del-friend");
        var conversation = Identifiers.SingleConversation("del-friend", "del-user");
        await friend.SendAsync("del-user", "keep this");
        var secret = await friend.SendAsync("del-user", "forget this");
        await laptop.WaitForMessagesAsync(conversation, 2);
        await phone.WaitForMessagesAsync(conversation, 2);

        await phone.Client.DeleteMessagesAsync(conversation, [secret.Seq]);

        foreach (var device in new[] { phone, laptop })
        {
            await device.WaitUntilAsync(u => u.Updates.Any(m => m.Seq == secret.Seq && m.Status == MessageStatus.Deleted), "the delete");
            var mine = await device.Client.PullMessagesAsync(conversation);
            Assert.Equal([MessageStatus.Normal, MessageStatus.Deleted], mine.Messages.Select(m => m.Status));
        }

        var theirs = await friend.Client.PullMessagesAsync(conversation);
        Assert.Equal(["keep this", "forget this"], theirs.Messages.Select(m => m.Content));
        Assert.Empty(friend.Updates);
    }
}
