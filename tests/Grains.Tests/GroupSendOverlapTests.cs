using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using static ImOrleans.Grains.Tests.TestExtensions;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// A group's sends overlap (each waits for its own commit, not for the sends before it): what members see must be
/// exactly what one-at-a-time sends gave them.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GroupSendOverlapTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Overlapping_sends_of_many_members_take_every_seq_once_and_each_is_pushed_once()
    {
        var owner = NewUser("owner");
        var members = Enumerable.Range(0, 9).Select(i => NewUser($"m{i}")).ToList();
        var watcher = await TestSession.ConnectAsync(fixture, owner, "phone");
        var group = NewGroup(out var conversationId);
        await group.Create(owner, new GroupCreation { Name = "busy", MemberIds = members }).WithDeadline();
        Assert.Equal(MessageType.GroupEvent, (await watcher.NextMessageAsync()).Type);

        var senders = members.Append(owner).ToList();
        var sends = senders.SelectMany(sender => Enumerable.Range(0, 30).Select(async i =>
        {
            var content = $"{sender} #{i}";
            var result = await group.Send(sender, Text(content));
            return (result.Seq, Content: content);
        })).ToList();
        var acked = await Task.WhenAll(sends).WithDeadline();

        Assert.Equal(Enumerable.Range(2, 300).Select(seq => (long)seq), acked.Select(a => a.Seq).Order());
        var pushed = new List<long>();
        for (var i = 0; i < 300; i++)
        {
            var push = await watcher.NextMessageAsync();
            Assert.Equal(conversationId, push.ConversationId);
            pushed.Add(push.Seq);
        }

        // The group issues its pushes in seq order; one-way calls to a client's observer may overtake each other
        // (clients fill gaps by seq, docs/protocol.md), so what is checked here is that each came once.
        Assert.Equal(Enumerable.Range(2, 300).Select(seq => (long)seq), pushed.Order());

        var byAck = acked.ToDictionary(a => a.Seq, a => a.Content);
        for (var from = 2L; from <= 301; from += 100)
        {
            var page = await group.Pull(owner, from, from + 99, 100).WithDeadline();
            Assert.Equal(Enumerable.Range((int)from, 100).Select(seq => (long)seq), page.Messages.Select(m => m.Seq));
            Assert.All(page.Messages, m => Assert.Equal(byAck[m.Seq], m.Content));
        }
    }

    [Fact]
    public async Task A_member_added_while_sends_are_in_flight_starts_exactly_at_the_join_event()
    {
        var (owner, talker, late) = (NewUser("owner"), NewUser("talker"), NewUser("late"));
        var group = NewGroup(out _);
        await group.Create(owner, new GroupCreation { Name = "joining", MemberIds = [talker] }).WithDeadline();

        var before = Enumerable.Range(0, 100).Select(i => group.Send(talker, Text($"before {i}"))).ToList();
        var added = group.AddMembers(owner, [late]);
        var after = Enumerable.Range(0, 100).Select(i => group.Send(talker, Text($"after {i}"))).ToList();
        await Task.WhenAll(before.Concat(after)).WithDeadline();
        var change = await added.WithDeadline();

        // The join runs alone: its event takes the seq the new member starts from, never one a send took meanwhile.
        var newest = await group.Pull(late, 0, 0, 1).WithDeadline();
        Assert.Equal((change.EventSeq, 202L), (newest.InitSeq, newest.MaxSeq));
        var first = await group.Pull(late, change.EventSeq, change.EventSeq, 1).WithDeadline();
        Assert.Equal(MessageType.GroupEvent, Assert.Single(first.Messages).Type);
        var seen = new List<long>();
        for (var from = change.EventSeq; from <= 202; from += 100)
        {
            seen.AddRange((await group.Pull(late, from, from + 99, 100).WithDeadline()).Messages.Select(m => m.Seq));
        }

        Assert.Equal(Enumerable.Range((int)change.EventSeq, 203 - (int)change.EventSeq).Select(seq => (long)seq), seen);
    }

    [Fact]
    public async Task A_resend_that_arrives_while_its_original_is_being_stored_gets_the_original_seq()
    {
        var (owner, sender) = (NewUser("owner"), NewUser("sender"));
        var group = NewGroup(out _);
        await group.Create(owner, new GroupCreation { Name = "resends", MemberIds = [sender] }).WithDeadline();

        for (var round = 0; round < 20; round++)
        {
            var clientMsgId = $"cid-{round}";
            var copies = Enumerable.Range(0, 3).Select(_ => group.Send(sender, Text($"once {round}", clientMsgId))).ToList();
            var results = await Task.WhenAll(copies).WithDeadline();

            Assert.Single(results.Select(r => r.Seq).Distinct());
            Assert.Equal(2, results.Count(r => r.Duplicate));
        }

        var page = await group.Pull(owner, 2, 0, 100).WithDeadline();
        Assert.Equal(Enumerable.Range(0, 20).Select(round => $"once {round}"), page.Messages.Select(m => m.Content));
    }

    private IGroupGrain NewGroup(out string conversationId)
    {
        conversationId = Identifiers.GroupConversation("grp-" + Guid.NewGuid().ToString("N")[..12]);
        return fixture.Client.GetGrain<IGroupGrain>(conversationId);
    }
}
