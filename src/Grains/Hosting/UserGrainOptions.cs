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
}
