using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// This edge's fan-out endpoint (<see cref="IEdgeFanout"/>): one call from a group or a 1:1 conversation carries a
/// message or receipt and the users it holds sessions of here; each of their sessions gets the push. The message is
/// converted to its wire form once for all of them. Grains in this process reach it, and the sessions, without an
/// Orleans message (<see cref="ILocalSessions"/>).
/// </summary>
internal sealed class EdgeFanout(IGrainFactory grains, EdgeSessionRegistry sessions, SendAnswers answers) : IEdgeFanout, ILocalSessions
{
    private readonly Lock _gate = new();
    private IEdgeFanout? _reference;
    private GrainId _referenceId;

    /// <summary>
    /// The reference sessions register with their user grains. Created on first use, when the cluster client is
    /// connected; Orleans holds the object weakly, and this singleton keeps it alive as long as the edge runs.
    /// </summary>
    public IEdgeFanout Reference
    {
        get
        {
            lock (_gate)
            {
                if (_reference is null)
                {
                    _reference = grains.CreateObjectReference<IEdgeFanout>(this);
                    _referenceId = _reference.GetGrainId();
                }

                return _reference;
            }
        }
    }

    /// <summary>This edge's 1:1 sends waiting for the answers that come here.</summary>
    public SendAnswers Answers => answers;

    public ISessionObserver? Find(string sessionId) => sessions.Find(sessionId);

    // Before the first session registered the reference, no grain can hold it: the default id matches no edge's.
    public IEdgeFanout? LocalEdge(IEdgeFanout edge) => edge.GetGrainId() == _referenceId ? this : null;

    public Task OnMessage(StoredMessage message, IReadOnlyList<string> userIds) =>
        PushToUsers(userIds, CommandCode.MessagePush, new MessagePush { Message = message.ToWire() });

    public Task OnReceipt(Receipt receipt, IReadOnlyList<string> userIds) =>
        PushToUsers(userIds, CommandCode.ReceiptPush, receipt.ToWire());

    public Task OnOwnMessage(StoredMessage message, string senderId, string originSessionId)
    {
        MessagePush? push = null;
        foreach (var session in sessions.SessionsOf(senderId))
        {
            if (session.SessionId != originSessionId)
            {
                session.EnqueuePush(CommandCode.MessagePush, push ??= new MessagePush { Message = message.ToWire() });
            }
        }

        return Task.CompletedTask;
    }

    public Task OnSendAnswered(long token, SendResult result)
    {
        answers.Answer(token, result);
        return Task.CompletedTask;
    }

    public Task OnSendRefused(long token, ErrorCode code, string reason)
    {
        answers.Refuse(token, code, reason);
        return Task.CompletedTask;
    }

    private Task PushToUsers(IReadOnlyList<string> userIds, CommandCode command, Google.Protobuf.IMessage push)
    {
        // By index: a foreach over the interface would allocate an enumerator for every push.
        for (var i = 0; i < userIds.Count; i++)
        {
            foreach (var session in sessions.SessionsOf(userIds[i]))
            {
                session.EnqueuePush(command, push);
            }
        }

        return Task.CompletedTask;
    }
}
