namespace ImOrleans.Client;

/// <summary>Raised by <see cref="ImClient.StateChanged"/>.</summary>
public sealed class ImClientStateChangedEventArgs(ImClientState previous, ImClientState current, Exception? error) : EventArgs
{
    public ImClientState Previous { get; } = previous;

    public ImClientState Current { get; } = current;

    /// <summary>Why the link went down or an attempt failed, when there is a reason to tell.</summary>
    public Exception? Error { get; } = error;
}
