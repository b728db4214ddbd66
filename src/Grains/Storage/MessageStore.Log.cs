using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains.Storage;

internal sealed partial class MessageStore
{
    [LoggerMessage(1, LogLevel.Error, "Message store batch of {Count} writes failed; every write of the batch is failed back to its sender")]
    private partial void LogBatchFailed(Exception exception, int count);

    [LoggerMessage(2, LogLevel.Warning, "Closing the message store's writer connection failed")]
    private partial void LogCloseFailed(Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Message store writer stopped after draining its queue")]
    private partial void LogWriterStopped();
}
