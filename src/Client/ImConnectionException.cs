namespace ImOrleans.Client;

/// <summary>
/// No link could be opened, the link was lost while a request waited for its answer, or the client was
/// stopped (logged out, kicked, disposed). Requests other than sends are not retried: retry them, or wait
/// for <see cref="ImClient.StateChanged"/> to report <see cref="ImClientState.Connected"/>.
/// </summary>
public sealed class ImConnectionException : Exception
{
    public ImConnectionException(string message)
        : base(message)
    {
    }

    public ImConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
