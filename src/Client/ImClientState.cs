namespace ImOrleans.Client;

/// <summary>Where an <see cref="ImClient"/> is in its life. <see cref="ImClient.StateChanged"/> reports every move.</summary>
public enum ImClientState
{
    /// <summary>
    /// No link and no attempt under way: before <see cref="ImClient.ConnectAsync"/>, after
    /// <see cref="ImClient.LogoutAsync"/> or disposal, or after <see cref="ImClientOptions.MaxReconnectAttempts"/>
    /// failed reconnects (then <see cref="ImClient.NotifyNetworkChanged"/> starts a new round).
    /// </summary>
    Disconnected,

    /// <summary><see cref="ImClient.ConnectAsync"/> is opening the first link and logging in.</summary>
    Connecting,

    /// <summary>Logged in on a live link.</summary>
    Connected,

    /// <summary>The link was lost; the client is backing off and reconnecting.</summary>
    Reconnecting,

    /// <summary>
    /// The server closed the session for good (another login with the same device id, or an administrator).
    /// The client does not reconnect; create a new one to log in again.
    /// </summary>
    Kicked,
}
