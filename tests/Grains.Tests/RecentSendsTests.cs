using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains.Tests;

public sealed class RecentSendsTests
{
    [Fact]
    public void The_oldest_send_is_forgotten_once_the_capacity_is_reached()
    {
        var recent = new RecentSends(capacity: 3);
        for (var seq = 1; seq <= 5; seq++)
        {
            recent.Add(Sent("alice", $"m{seq}", seq));
        }

        Assert.Equal(-1, recent.IndexOf(RecentSends.KeyOf("alice", "m1")));
        Assert.Equal(-1, recent.IndexOf(RecentSends.KeyOf("alice", "m2")));
        Assert.Equal([3L, 4L, 5L], new[] { "m3", "m4", "m5" }.Select(id => recent.SeqAt(recent.IndexOf(RecentSends.KeyOf("alice", id)))));
    }

    [Fact]
    public void A_conversation_past_many_chunks_remembers_exactly_its_last_sends()
    {
        var recent = new RecentSends(capacity: 40);
        for (var seq = 1; seq <= 100; seq++)
        {
            recent.Add(Sent("alice", $"m{seq}", seq));
        }

        for (var seq = 1; seq <= 100; seq++)
        {
            var index = recent.IndexOf(RecentSends.KeyOf("alice", $"m{seq}"));
            Assert.Equal(seq > 60 ? seq : -1, index < 0 ? -1 : recent.SeqAt(index));
        }
    }

    [Fact]
    public void Sender_and_client_id_are_kept_apart_in_the_key()
    {
        Assert.NotEqual(RecentSends.KeyOf("ab", "c"), RecentSends.KeyOf("a", "bc"));
        Assert.NotEqual(RecentSends.KeyOf("alice", "m1"), RecentSends.KeyOf("bob", "m1"));
        Assert.Equal(RecentSends.KeyOf("alice", "m1"), RecentSends.KeyOf("alice", "m1"));
    }

    [Fact]
    public void Every_send_with_the_same_key_is_found_in_turn()
    {
        var recent = new RecentSends(capacity: 64);
        for (var seq = 1; seq <= 50; seq++)
        {
            recent.Add(Sent(seq is 1 or 17 or 40 ? "alice" : "bob", "m1", seq));
        }

        var key = RecentSends.KeyOf("alice", "m1");
        var found = new List<long>();
        for (var i = recent.IndexOf(key); i >= 0; i = recent.IndexOf(key, i + 1))
        {
            found.Add(recent.SeqAt(i));
        }

        Assert.Equal([1L, 17L, 40L], found);
    }

    private static StoredMessage Sent(string sender, string clientMsgId, long seq) =>
        new() { ConversationId = "s:alice:bob", Seq = seq, SenderId = sender, ClientMsgId = clientMsgId, Type = MessageType.Text };
}
