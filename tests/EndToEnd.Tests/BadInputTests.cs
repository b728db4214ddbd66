using Google.Protobuf;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>Whatever a client sends, it gets a clear error, the server keeps serving everyone else, and nothing stored changes.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class BadInputTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Unknown_command_gets_an_error_and_the_session_goes_on()
    {
        await using var client = await RawConnection.LoggedInAsync(Server, "bad-unknown");

        var id = await client.SendAsync((CommandCode)0x7777, null);

        var error = await client.ReadErrorAsync(id);
        Assert.Equal((uint)ErrorCode.UnknownCommand, error.Code);
        await AssertServesHeartbeatAsync(client);
    }

    [Fact]
    public async Task Malformed_body_gets_an_error_and_the_session_goes_on()
    {
        await using var client = await RawConnection.LoggedInAsync(Server, "bad-body");

        var id = client.NextRequestId();
        await client.SendBytesAsync(FrameBytes(CommandCode.SendMessage, id, [0x0A, 0x7F, 0x01]));

        var error = await client.ReadErrorAsync(id);
        Assert.Equal((uint)ErrorCode.MalformedBody, error.Code);
        await AssertServesHeartbeatAsync(client);
    }

    [Fact]
    public async Task Request_before_login_is_refused_and_login_still_works()
    {
        await using var client = await RawConnection.ConnectAsync(Server.Edge);

        var id = await client.SendAsync(CommandCode.GetConversations, new GetConversationsRequest { Limit = 10 });

        Assert.Equal((uint)ErrorCode.NotLoggedIn, (await client.ReadErrorAsync(id)).Code);
        var login = await client.LoginAsync("bad-early", Server.TokenFor("bad-early"));
        Assert.False(string.IsNullOrEmpty(login.SessionId));
    }

    [Fact]
    public async Task Oversized_frame_is_refused_as_soon_as_its_header_arrives_and_the_connection_closes()
    {
        await using var bystander = await RawConnection.LoggedInAsync(Server, "bad-big-bystander");
        await using var client = await RawConnection.LoggedInAsync(Server, "bad-big");

        var header = new byte[FrameHeader.Size];
        new FrameHeader(CommandCode.SendMessage, FrameFlags.None, 42, 10 * 1024 * 1024).Write(header);
        await client.SendBytesAsync(header);

        var error = await client.ReadErrorAsync(42);
        Assert.Equal((uint)ErrorCode.FrameTooLarge, error.Code);
        await client.WaitClosedAsync();
        await AssertServesHeartbeatAsync(bystander);
    }

    [Fact]
    public async Task Garbage_instead_of_a_header_closes_the_connection_with_an_error()
    {
        await using var bystander = await RawConnection.LoggedInAsync(Server, "bad-magic-bystander");
        await using var client = await RawConnection.LoggedInAsync(Server, "bad-magic");

        await client.SendBytesAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        var (header, body) = await client.ReadFrameAsync();
        Assert.True(header.IsError);
        Assert.Equal((uint)ErrorCode.BadFrame, ErrorBody.Parser.ParseFrom(body).Code);
        await client.WaitClosedAsync();
        await AssertServesHeartbeatAsync(bystander);
    }

    [Fact]
    public async Task A_header_that_lies_about_its_length_gets_errors_and_the_connection_closes_without_storing_anything()
    {
        await using var client = await RawConnection.LoggedInAsync(Server, "bad-liar");
        var conversation = Identifiers.SingleConversation("bad-liar", "bad-liar-peer");
        var send = new SendMessageRequest { ConversationId = conversation, ClientMsgId = Guid.NewGuid().ToString(), Type = MessageType.Text, Content = "hello" }.ToByteArray();

        // The header claims 4 body bytes; the real body is longer, so its tail is read as the next header.
        var lying = FrameBytes(CommandCode.SendMessage, 7, send);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(lying.AsSpan(12), 4);
        await client.SendBytesAsync(lying);

        Assert.Equal((uint)ErrorCode.MalformedBody, (await client.ReadErrorAsync(7)).Code);
        var (header, body) = await client.ReadFrameAsync();
        Assert.Equal((uint)ErrorCode.BadFrame, ErrorBody.Parser.ParseFrom(body).Code);
        Assert.True(header.IsError);
        await client.WaitClosedAsync();

        await using var peer = await RawConnection.LoggedInAsync(Server, "bad-liar-peer");
        var pull = await peer.SendAsync(CommandCode.PullMessages, new PullMessagesRequest { ConversationId = conversation });
        var (_, pulled) = await peer.ReadResponseAsync(pull);
        Assert.Empty(PullMessagesResponse.Parser.ParseFrom(pulled).Messages);
    }

    [Fact]
    public async Task A_delivery_ack_for_a_conversation_you_are_not_in_is_refused_while_your_own_is_answered()
    {
        await using var mallory = await RawConnection.LoggedInAsync(Server, "bad-acker");

        // The edge answers acks of 1:1 conversations naming the user itself; any other id still goes to its grain.
        var foreign = await mallory.SendAsync(CommandCode.DeliveryAck, new DeliveryAckRequest
        {
            ConversationId = Identifiers.SingleConversation("bad-ann", "bad-ben"), Seq = 1,
        });
        Assert.Equal((uint)ErrorCode.NotMember, (await mallory.ReadErrorAsync(foreign)).Code);

        var own = await mallory.SendAsync(CommandCode.DeliveryAck, new DeliveryAckRequest
        {
            ConversationId = Identifiers.SingleConversation("bad-acker", "bad-ann"), Seq = 1,
        });
        var (header, _) = await mallory.ReadResponseAsync(own);
        Assert.False(header.IsError);
    }

    [Fact]
    public async Task Sending_to_a_conversation_you_are_not_in_is_refused_and_nothing_is_stored()
    {
        await using var mallory = await RawConnection.LoggedInAsync(Server, "bad-mallory");
        var conversation = Identifiers.SingleConversation("bad-bob", "bad-carol");

        var id = await mallory.SendAsync(CommandCode.SendMessage, new SendMessageRequest
        {
            ConversationId = conversation, ClientMsgId = Guid.NewGuid().ToString(), Type = MessageType.Text, Content = "not yours",
        });
        Assert.Equal((uint)ErrorCode.NotMember, (await mallory.ReadErrorAsync(id)).Code);

        var read = await mallory.SendAsync(CommandCode.PullMessages, new PullMessagesRequest { ConversationId = conversation });
        Assert.Equal((uint)ErrorCode.NotMember, (await mallory.ReadErrorAsync(read)).Code);

        await using var bob = await RawConnection.LoggedInAsync(Server, "bad-bob");
        var pull = await bob.SendAsync(CommandCode.PullMessages, new PullMessagesRequest { ConversationId = conversation });
        var (_, body) = await bob.ReadResponseAsync(pull);
        Assert.Empty(PullMessagesResponse.Parser.ParseFrom(body).Messages);
    }

    [Fact]
    public async Task Unknown_conversation_id_is_refused()
    {
        await using var client = await RawConnection.LoggedInAsync(Server, "bad-conv");

        var id = await client.SendAsync(CommandCode.SendMessage, new SendMessageRequest
        {
            ConversationId = "no-such-thing", ClientMsgId = Guid.NewGuid().ToString(), Type = MessageType.Text, Content = "?",
        });

        Assert.Equal((uint)ErrorCode.ConversationNotFound, (await client.ReadErrorAsync(id)).Code);
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("other-user")]
    [InlineData("expired")]
    [InlineData("garbage")]
    public async Task Login_with_a_bad_token_is_refused_and_the_connection_closes(string kind)
    {
        await using var client = await RawConnection.ConnectAsync(Server.Edge);
        var token = kind switch
        {
            "wrong-key" => Client.DevTokens.Mint("bad-token", "a-completely-different-signing-key-0123456789"),
            "other-user" => Server.TokenFor("someone-else"),
            "expired" => ExpiredToken("bad-token"),
            _ => "not.a.jwt",
        };

        var id = await client.SendAsync(CommandCode.Login, new LoginRequest { UserId = "bad-token", Token = token, DeviceId = "d1" });

        Assert.Equal((uint)ErrorCode.InvalidToken, (await client.ReadErrorAsync(id)).Code);
        await client.WaitClosedAsync();
    }

    private static string ExpiredToken(string userId)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", userId)]),
            Issuer = "imorleans-dev",
            Audience = "imorleans",
            IssuedAt = now.AddHours(-2),
            NotBefore = now.AddHours(-2),
            Expires = now.AddHours(-1),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestServer.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static async Task AssertServesHeartbeatAsync(RawConnection client)
    {
        var id = await client.SendAsync(CommandCode.Heartbeat, new HeartbeatRequest());
        var (header, body) = await client.ReadResponseAsync(id);
        Assert.False(header.IsError);
        Assert.True(HeartbeatResponse.Parser.ParseFrom(body).ServerTimeMs > 0);
    }

    private static byte[] FrameBytes(CommandCode command, uint requestId, byte[] body)
    {
        var bytes = new byte[FrameHeader.Size + body.Length];
        new FrameHeader(command, FrameFlags.None, requestId, body.Length).Write(bytes);
        body.CopyTo(bytes, FrameHeader.Size);
        return bytes;
    }
}
