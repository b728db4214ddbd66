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
    /// grain where the sessions are (<c>IUserGrain.WatchEdges</c>). Default 3 minutes; it asks again after a third of
    /// it while messages flow, and at its next push after the cluster declares a silo dead (the user grain may have
    /// come back elsewhere without its watchers). A new edge of the member's is told at once; an edge the member left
    /// keeps being pushed to, reaching nobody, until the next renewal. 30 seconds made every conversation in use call
    /// both members' user grains every ten seconds: 800 calls a second at the chat benchmark's 4,000 conversations.
    /// </summary>
    public TimeSpan SessionRouteLease { get; set; } = TimeSpan.FromMinutes(3);
}
