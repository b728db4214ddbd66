using ImOrleans.Client.Internal;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client;

public sealed partial class ImClient
{
    /// <summary>The client as the inbox loop sees it; kept off the public surface.</summary>
    private sealed class InboxHost(ImClient client) : IInboxHost
    {
        public bool IsConnected => client._gate.Current is not null;

        public Task<PullMessagesResponse> PullAsync(string conversationId, long minSeq, long maxSeq, int limit)
        {
            var connection = client._gate.Current ?? throw new ImConnectionException("No link to pull on.");
            var request = new PullMessagesRequest { ConversationId = conversationId, MinSeq = minSeq, MaxSeq = maxSeq, Limit = limit };
            return connection.RequestAsync(CommandCode.PullMessages, request, PullMessagesResponse.Parser, client.Options.RequestTimeout, CancellationToken.None);
        }

        public Task AckAsync(string conversationId, long seq)
        {
            var connection = client._gate.Current ?? throw new ImConnectionException("No link to ack on.");
            if (Identifiers.TryParseNotice(conversationId, out _))
            {
                // Notices have an ack of their own (R11), which the server records as delivered.
                return connection.PostAckAsync(CommandCode.NoticeAck, new NoticeAckRequest { Seq = seq });
            }

            return connection.PostAckAsync(CommandCode.DeliveryAck, new DeliveryAckRequest { ConversationId = conversationId, Seq = seq });
        }

        public bool IsOwnEcho(ChatMessage message) =>
            !client.Options.RaiseOwnSends
            && message.SenderId == client.Options.UserId
            && client._ownSends.Contains(message.ClientMsgId);

        public void OnContiguous(string conversationId, long seq) => client._received[conversationId] = seq;

        public void RaiseMessage(ChatMessage message) => client.MessageReceived?.Invoke(client, message);

        public void RaiseNotice(ChatMessage notice) => client.NoticeReceived?.Invoke(client, notice);

        public void RaiseMessageUpdated(ChatMessage message) => client.MessageUpdated?.Invoke(client, message);

        public void RaiseReceipt(ReceiptPush receipt) => client.ReceiptReceived?.Invoke(client, receipt);

        public void RaiseKicked(KickedEventArgs kick) => client.Kicked?.Invoke(client, kick);

        public void RaiseStateChanged(ImClientStateChangedEventArgs change) => client.StateChanged?.Invoke(client, change);
    }
}
