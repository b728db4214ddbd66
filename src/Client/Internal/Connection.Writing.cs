using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>The write side: the one writer of the pipe, and the heartbeat that also watches for silence.</summary>
internal sealed partial class Connection
{
    private async Task WriteLoopAsync()
    {
        Exception? reason = null;
        try
        {
            var queue = _outbound.Reader;
            while (await queue.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                var count = 0;
                while (count < MaxFramesPerFlush && queue.TryRead(out var frame))
                {
                    FrameWriter.Write(_writer, frame.Command, frame.Flags, frame.RequestId, frame.Body);
                    count++;
                }

                var flush = await _writer.FlushAsync(_closing.Token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    reason = new ImConnectionException($"{RemoteEndPoint} stopped accepting data.");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            reason = new ImConnectionException($"Writing to {RemoteEndPoint} failed.", ex);
        }

        Close(reason);
    }

    private async Task HeartbeatLoopAsync(TimeSpan interval, TimeSpan deadLinkTimeout)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                var silence = _time.GetElapsedTime(Volatile.Read(ref _lastReadTimestamp));
                if (silence >= deadLinkTimeout)
                {
                    Close(new ImConnectionException($"Dead link: nothing read from {RemoteEndPoint} for {silence}."));
                    return;
                }

                _ = HeartbeatAsync(interval);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Closed while waiting for the next tick.
        }
    }

    private async Task HeartbeatAsync(TimeSpan timeout)
    {
        try
        {
            await RequestAsync(CommandCode.Heartbeat, new HeartbeatRequest(), HeartbeatResponse.Parser, timeout, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or ImConnectionException or ImServerException)
        {
            // The link is judged by what is read (R9), in the heartbeat loop, not by this one answer.
        }
    }
}
