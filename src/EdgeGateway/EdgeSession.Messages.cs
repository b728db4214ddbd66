using System.Buffers;
using Google.Protobuf;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

// Revoke, delete, read counts, conversation settings and notice acks.
internal sealed partial class EdgeSession
{
    private async Task<IMessage> HandleMessageRequestAsync(CommandCode command, ReadOnlySequence<byte> body)
    {
        switch (command)
        {
            case CommandCode.RevokeMessage:
            {
                var request = RevokeMessageRequest.Parser.ParseFrom(body);
                var result = await Conversation(request.ConversationId).Revoke(_userId, request.Seq);
                return new RevokeMessageResponse { RevokeSeq = result.RevokeSeq };
            }

            case CommandCode.DeleteMessages:
            {
                var request = DeleteMessagesRequest.Parser.ParseFrom(body);
                RequireConversationId(request.ConversationId);
                await _user!.DeleteMessages(request.ConversationId, [.. request.Seqs]);
                return new DeleteMessagesResponse();
            }

            case CommandCode.GetReadCount:
            {
                var request = GetReadCountRequest.Parser.ParseFrom(body);
                var count = await Conversation(request.ConversationId).GetReadCount(_userId, request.Seq);
                return new GetReadCountResponse { ReadCount = count.Read, UnreadCount = count.Unread };
            }

            case CommandCode.UpdateConversation:
            {
                var request = UpdateConversationRequest.Parser.ParseFrom(body);
                RequireConversationId(request.ConversationId);
                var update = new ConversationUpdate
                {
                    Muted = request.HasMuted ? request.Muted : null,
                    Extra = request.HasExtra ? request.Extra : null,
                };
                var summary = await _user!.UpdateConversation(request.ConversationId, update);
                return new UpdateConversationResponse { Conversation = summary.ToWire() };
            }

            case CommandCode.NoticeAck:
            {
                var request = NoticeAckRequest.Parser.ParseFrom(body);
                _ = Conversation(Identifiers.NoticeConversation(_userId)).OnDelivered(_userId, request.Seq); // Answered here, forwarded one-way.
                return new NoticeAckResponse();
            }

            default:
                throw new InvalidOperationException($"no handler for {command}");
        }
    }
}
