using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// The grain-facing side of one session. Orleans holds only a weak reference to it, so the session
/// keeps it alive for as long as the connection lives.
/// </summary>
internal sealed class SessionObserver(EdgeSession session) : ISessionObserver
{
    public Task OnMessage(StoredMessage message)
    {
        // Business notices travel under their own command (0x0100, R11); everything else is a MessagePush.
        if (message.ConversationId.StartsWith(Identifiers.NoticePrefix, StringComparison.Ordinal))
        {
            session.EnqueuePush(CommandCode.Notice, new NoticePush { Notice = message.ToWire() });
        }
        else
        {
            session.EnqueuePush(CommandCode.MessagePush, new MessagePush { Message = message.ToWire() });
        }

        return Task.CompletedTask;
    }

    public Task OnReceipt(Receipt receipt)
    {
        session.EnqueuePush(CommandCode.ReceiptPush, receipt.ToWire());
        return Task.CompletedTask;
    }

    public Task OnKicked(KickReason reason, string message)
    {
        session.Kick(reason, message);
        return Task.CompletedTask;
    }
}
