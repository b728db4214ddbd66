using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// Where the answer to a send made with <see cref="IConversationGrain.SendWithReply"/> goes: the sending edge (the
/// object itself when the edge runs in this process) and the edge's token for the send.
/// </summary>
internal readonly record struct SendReply(IEdgeFanout Edge, long Token)
{
    public void Answer(SendResult result) => Edge.OnSendAnswered(Token, result).Ignore();

    public void Refuse(RequestRejectedException refusal) => Edge.OnSendRefused(Token, refusal.Code, refusal.Message).Ignore();

    public void Refuse(ErrorCode code, string reason) => Edge.OnSendRefused(Token, code, reason).Ignore();
}
