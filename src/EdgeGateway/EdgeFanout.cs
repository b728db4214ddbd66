using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// This edge's endpoint for group fan-out (<see cref="IEdgeFanout"/>): one call from a group carries a message and the
/// online members it holds sessions of here; each of their sessions gets the push. The message is converted to its
/// wire form once for all of them.
/// </summary>
internal sealed class EdgeFanout(IGrainFactory grains, EdgeSessionRegistry sessions) : IEdgeFanout
{
    private readonly Lock _gate = new();
    private IEdgeFanout? _reference;

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
                return _reference ??= grains.CreateObjectReference<IEdgeFanout>(this);
            }
        }
    }

    public Task OnGroupMessage(StoredMessage message, IReadOnlyList<string> userIds)
    {
        var push = new MessagePush { Message = message.ToWire() };
        foreach (var userId in userIds)
        {
            foreach (var session in sessions.SessionsOf(userId))
            {
                session.EnqueuePush(CommandCode.MessagePush, push);
            }
        }

        return Task.CompletedTask;
    }
}
