namespace ImOrleans.Grains;

/// <summary>
/// The sessions of an edge that runs inside this silo's process (the embedded default). A grain hands a push to such a
/// session, or to this edge's fan-out endpoint, directly instead of sending an Orleans message to it; sessions of edges
/// in other processes are reached through their <see cref="ISessionObserver"/> and <see cref="IEdgeFanout"/>
/// references. Registered only where an edge is hosted.
/// </summary>
public interface ILocalSessions
{
    /// <summary>The observer of <paramref name="sessionId"/> if that session is open in this process, else null.</summary>
    ISessionObserver? Find(string sessionId);

    /// <summary>This process's edge's fan-out endpoint itself if <paramref name="edge"/> refers to it, else null.</summary>
    IEdgeFanout? LocalEdge(IEdgeFanout edge);
}
