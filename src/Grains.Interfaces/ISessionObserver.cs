using ImOrleans.Protocol;

namespace ImOrleans.Grains;

/// <summary>
/// Implemented by an edge session and registered with the user's grain. Calls are one-way and
/// best-effort: a lost push is recovered by the client's seq-based sync, never by retrying here.
/// </summary>
[Alias("ImOrleans.ISessionObserver")]
public interface ISessionObserver : IGrainObserver
{
    [OneWay]
    Task OnMessage(StoredMessage message);

    [OneWay]
    Task OnReceipt(Receipt receipt);

    /// <summary>The session must tell its client why and close.</summary>
    [OneWay]
    Task OnKicked(KickReason reason, string message);
}
