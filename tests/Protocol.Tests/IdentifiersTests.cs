namespace ImOrleans.Protocol.Tests;

public sealed class IdentifiersTests
{
    private static readonly string MaxLengthUser = new('u', Identifiers.MaxUserIdLength);
    private static readonly string TooLongUser = new('u', Identifiers.MaxUserIdLength + 1);

    [Fact]
    public void Both_members_build_the_same_single_conversation_id()
    {
        Assert.Equal("s:alice:bob", Identifiers.SingleConversation("alice", "bob"));
        Assert.Equal("s:alice:bob", Identifiers.SingleConversation("bob", "alice"));
    }

    [Fact]
    public void Single_conversation_members_are_ordered_by_ordinal_not_by_culture()
    {
        // 'Z' (0x5A) sorts before 'a' (0x61) byte-wise, though a culture-aware compare says otherwise.
        Assert.Equal("s:Zed:alice", Identifiers.SingleConversation("alice", "Zed"));
        Assert.Equal("s:user10:user9", Identifiers.SingleConversation("user9", "user10"));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("A")]
    [InlineData("alice.smith@example.com")]
    [InlineData("user_42-x")]
    public void Well_formed_user_ids_are_valid(string userId) => Assert.True(Identifiers.IsValidUserId(userId));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("alice/bob")]
    [InlineData("zoë")]
    [InlineData("ａｌｉｃｅ")]
    public void Malformed_user_ids_are_invalid(string? userId) => Assert.False(Identifiers.IsValidUserId(userId));

    [Fact]
    public void A_user_id_may_be_64_characters_but_not_65()
    {
        Assert.True(Identifiers.IsValidUserId(MaxLengthUser));
        Assert.False(Identifiers.IsValidUserId(TooLongUser));
    }

    [Fact]
    public void A_single_conversation_id_parses_into_its_two_members()
    {
        Assert.True(Identifiers.TryParseSingle("s:alice:bob", out var a, out var b));
        Assert.Equal("alice", a);
        Assert.Equal("bob", b);
    }

    [Fact]
    public void A_single_conversation_id_round_trips_through_build_and_parse()
    {
        var id = Identifiers.SingleConversation(MaxLengthUser, "a.b@c");

        Assert.True(Identifiers.TryParseSingle(id, out var a, out var b));
        Assert.Equal(id, Identifiers.SingleConversation(a, b));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("s:")]
    [InlineData("s:a")]
    [InlineData("s:a:")]
    [InlineData("s::b")]
    [InlineData("s:b:a")]        // members in the wrong order
    [InlineData("s:a:a")]        // a user cannot chat with themselves
    [InlineData("x:a:b")]        // unknown kind
    [InlineData("S:a:b")]        // the prefix is case-sensitive
    [InlineData("s:a:b:c")]
    [InlineData("s:a b:c")]
    [InlineData("s:a:b ")]
    [InlineData("s:a:zoë")]
    [InlineData("alice")]
    public void Malformed_single_conversation_ids_are_rejected(string? conversationId)
    {
        Assert.False(Identifiers.TryParseSingle(conversationId, out _, out _));
    }

    [Fact]
    public void A_single_conversation_id_with_a_member_over_64_characters_is_rejected()
    {
        Assert.False(Identifiers.TryParseSingle($"s:a:{TooLongUser}", out _, out _));
        Assert.False(Identifiers.TryParseSingle($"s:{TooLongUser}:v", out _, out _));
        Assert.True(Identifiers.TryParseSingle($"s:a:{MaxLengthUser}", out _, out _));
    }

    [Fact]
    public void The_peer_of_a_member_is_the_other_member()
    {
        Assert.Equal("bob", Identifiers.PeerOf("s:alice:bob", "alice"));
        Assert.Equal("alice", Identifiers.PeerOf("s:alice:bob", "bob"));
    }

    [Theory]
    [InlineData("s:alice:bob", "alice", true)]
    [InlineData("s:alice:bob", "bob", true)]
    [InlineData("s:alice:bob", "carol", false)]
    [InlineData("s:alice:bob", "Alice", false)]
    [InlineData("s:alice:bob", "ali", false)]
    [InlineData("s:bob:alice", "alice", false)]
    [InlineData("s:alice:alice", "alice", false)]
    [InlineData("s:alice:", "alice", false)]
    [InlineData("s::alice", "alice", false)]
    [InlineData("s:alice:b b", "alice", false)]
    [InlineData("g:alice", "alice", false)]
    [InlineData("n:alice", "alice", false)]
    public void A_user_is_in_a_single_conversation_only_when_its_well_formed_id_names_them(string conversationId, string userId, bool expected)
    {
        Assert.Equal(expected, Identifiers.IsSingleOf(conversationId, userId));
        Assert.Equal(expected, Identifiers.PeerOf(conversationId, userId) is not null);
    }

    [Fact]
    public void A_user_outside_the_conversation_has_no_peer()
    {
        Assert.Null(Identifiers.PeerOf("s:alice:bob", "carol"));
        Assert.Null(Identifiers.PeerOf("s:alice:bob", "Alice"));
    }

    [Fact]
    public void A_malformed_conversation_id_has_no_peer()
    {
        Assert.Null(Identifiers.PeerOf("s:bob:alice", "alice"));
        Assert.Null(Identifiers.PeerOf("g:team", "alice"));
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("alice", "b:ob")]
    [InlineData("", "bob")]
    public void Single_conversation_refuses_the_same_user_twice_or_an_invalid_id(string a, string b)
    {
        Assert.Throws<ArgumentException>(() => Identifiers.SingleConversation(a, b));
    }
}
