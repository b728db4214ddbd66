namespace ImOrleans.Grains;

/// <summary>A live session registered with a user grain; in memory only, never persisted.</summary>
internal sealed class Session(SessionInfo info, ISessionObserver observer, DateTimeOffset expiresAt)
{
    public SessionInfo Info { get; } = info;

    public ISessionObserver Observer { get; set; } = observer;

    public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
}
