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
    public void Sender_and_client_id_are_kept_apart_in_the_key()
    {
        Assert.NotEqual(RecentSends.KeyOf("ab", "c"), RecentSends.KeyOf("a", "bc"));
        Assert.NotEqual(RecentSends.KeyOf("alice", "m1"), RecentSends.KeyOf("bob", "m1"));
        Assert.Equal(RecentSends.KeyOf("alice", "m1"), RecentSends.KeyOf("alice", "m1"));
    }

    [Fact]
    public void Every_send_with_the_same_key_is_found_in_turn()
    {
        var recent = new RecentSends(capacity: 8);
        recent.Add(Sent("alice", "m1", 1));
        recent.Add(Sent("bob", "m1", 2));
        recent.Add(Sent("alice", "m1", 3));
        var key = RecentSends.KeyOf("alice", "m1");

        var first = recent.IndexOf(key);
        var second = recent.IndexOf(key, first + 1);

        Assert.Equal([1L, 3L], [recent.SeqAt(first), recent.SeqAt(second)]);
        Assert.Equal(-1, recent.IndexOf(key, second + 1));
    }

    private static StoredMessage Sent(string sender, string clientMsgId, long seq) =>
        new() { ConversationId = "s:alice:bob", Seq = seq, SenderId = sender, ClientMsgId = clientMsgId, Type = MessageType.Text };
}
