using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>What the inbox loop needs from the client: the link for pulls and acks, and the app's event handlers.</summary>
internal interface IInboxHost
{
    bool IsConnected { get; }

    /// <summary>Pulls on the current link; <see cref="ImConnectionException"/> at once when there is none.</summary>
    Task<PullMessagesResponse> PullAsync(string conversationId, long minSeq, long maxSeq, int limit);

    /// <summary>Queues a cumulative delivery ack on the current link, flagged NoReply: the server answers only a refusal.</summary>
    Task AckAsync(string conversationId, long seq);

    /// <summary>Whether the message is the server's echo of a send of this client that the app does not want raised.</summary>
    bool IsOwnEcho(ChatMessage message);

    void OnContiguous(string conversationId, long seq);

    void RaiseMessage(ChatMessage message);

    void RaiseNotice(ChatMessage notice);

    void RaiseMessageUpdated(ChatMessage message);

    void RaiseReceipt(ReceiptPush receipt);

    void RaiseKicked(KickedEventArgs kick);

    void RaiseStateChanged(ImClientStateChangedEventArgs change);
}
