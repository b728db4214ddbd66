namespace ImOrleans.Grains;

/// <summary>
/// The sessions of an edge that runs inside this silo's process (the embedded default). A user grain hands a push to
/// such a session directly instead of sending an Orleans observer message to it; sessions of edges in other processes
/// are reached through their <see cref="ISessionObserver"/> references. Registered only where an edge is hosted.
/// </summary>
public interface ILocalSessions
{
    /// <summary>The observer of <paramref name="sessionId"/> if that session is open in this process, else null.</summary>
    ISessionObserver? Find(string sessionId);
}
