using ImOrleans.Grains;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

/// <summary>Translates between grain DTOs and wire messages.</summary>
internal static class MessageMapping
{
    public static ChatMessage ToWire(this StoredMessage m)
    {
        var wire = new ChatMessage
        {
            ConversationId = m.ConversationId,
            Seq = m.Seq,
            ClientMsgId = m.ClientMsgId,
            SenderId = m.SenderId,
            Type = m.Type,
            Content = m.Content,
            ClientTimeMs = m.ClientTimeMs,
            ServerTimeMs = m.ServerTimeMs,
            Status = m.Status,
        };
        foreach (var a in m.Attachments)
        {
            wire.Attachments.Add(new Attachment { Id = a.Id, Type = a.Type, Name = a.Name, Url = a.Url, Size = a.Size });
        }

        return wire;
    }

    public static OutgoingMessage ToOutgoing(this SendMessageRequest r, string originSessionId, long replyToken = 0) => new()
    {
        OriginSessionId = originSessionId,
        ReplyToken = replyToken,
        ClientMsgId = r.ClientMsgId,
        Type = r.Type,
        Content = r.Content,
        Attachments = r.Attachments.Count == 0
            ? []
            : r.Attachments.Select(a => new AttachmentInfo { Id = a.Id, Type = a.Type, Name = a.Name, Url = a.Url, Size = a.Size }).ToArray(),
        ClientTimeMs = r.ClientTimeMs,
        Resend = r.Resend,
    };

    public static ReceiptPush ToWire(this Receipt r) => new()
    {
        ConversationId = r.ConversationId,
        UserId = r.UserId,
        DeliveredSeq = r.DeliveredSeq,
        ReadSeq = r.ReadSeq,
    };

    public static Conversation ToWire(this ConversationSummary c)
    {
        var wire = new Conversation
        {
            ConversationId = c.ConversationId,
            Type = c.Type,
            Name = c.Name,
            Avatar = c.Avatar,
            InitSeq = c.InitSeq,
            MaxSeq = c.MaxSeq,
            ReadSeq = c.ReadSeq,
            Unread = c.Unread,
            Muted = c.Muted,
            Quit = c.Quit,
            Extra = c.Extra,
            PeerId = c.PeerId,
        };
        if (c.LastMessage is not null)
        {
            wire.LastMessage = c.LastMessage.ToWire();
        }

        return wire;
    }

    public static GroupInfo ToWire(this GroupSnapshot g) => new()
    {
        GroupId = g.GroupId,
        ConversationId = g.ConversationId,
        Name = g.Name,
        Avatar = g.Avatar,
        OwnerId = g.OwnerId,
        JoinPolicy = g.JoinPolicy,
        MemberCount = g.MemberCount,
        CreatedTimeMs = g.CreatedMs,
        Dissolved = g.Dissolved,
        MyRole = g.MyRole,
    };

    public static GroupMember ToWire(this GroupMemberInfo m) =>
        new() { UserId = m.UserId, Role = m.Role, InitSeq = m.InitSeq, JoinedTimeMs = m.JoinedMs };

    public static GroupChangeResponse ToWire(this GroupChange c)
    {
        var wire = new GroupChangeResponse { Group = c.Group.ToWire(), EventSeq = c.EventSeq };
        wire.UserIds.AddRange(c.UserIds);
        return wire;
    }
}
