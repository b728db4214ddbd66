namespace ImOrleans.Grains.Hosting;

/// <summary>Settings of the user grain.</summary>
public sealed class UserGrainOptions
{
    /// <summary>
    /// How long a session stays registered without a renewal. Default 3 minutes. A session not
    /// renewed within it is dropped: it gets no more pushes and stops counting for presence, and its
    /// next renewal returns false so the edge registers it again. Edges renew at about a third of it.
    /// </summary>
    public TimeSpan SessionLease { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How long a 1:1 conversation grain may push to a member's edges itself after it last asked the member's user
    /// grain where the sessions are (<c>IUserGrain.WatchEdges</c>). Default 30 seconds; it asks again after a third
    /// of it. After a silo failure, a conversation may push to a member's old edges for up to this long.
    /// </summary>
    public TimeSpan SessionRouteLease { get; set; } = TimeSpan.FromSeconds(30);
}
