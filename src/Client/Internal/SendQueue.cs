using System.Threading.Channels;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>
/// Sends go out one at a time in the order they were made (R16 FIFO): the next is written only once the one
/// before is acknowledged, failed or cancelled. An unacknowledged send is resent with the same client message
/// id and <c>resend = true</c> after <see cref="ImClientOptions.SendAckTimeout"/>, after a lost link, and after
/// an <see cref="ErrorCode.Unavailable"/> answer, until it is acknowledged or its caller cancels.
/// </summary>
internal sealed class SendQueue
{
    private readonly Channel<PendingSend> _queue;
    private readonly ConnectionGate _gate;
    private readonly ImClientOptions _options;
    private volatile Exception? _stopReason;

    public SendQueue(ConnectionGate gate, ImClientOptions options)
    {
        _gate = gate;
        _options = options;
        _queue = Channel.CreateBounded<PendingSend>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Completion = RunAsync();
    }

    public Task Completion { get; }

    public async Task<SendMessageResponse> SendAsync(SendMessageRequest request, CancellationToken cancellationToken)
    {
        var send = new PendingSend(request, cancellationToken);
        try
        {
            await _queue.Writer.WriteAsync(send, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            send.Dispose();
            throw new ImConnectionException("The client is stopped; nothing more can be sent.", _stopReason);
        }

        return await send.Task.ConfigureAwait(false);
    }

    /// <summary>Refuses new sends; the pump fails what is still queued once the gate is stopped.</summary>
    public void Complete(Exception reason)
    {
        _stopReason = reason;
        _queue.Writer.TryComplete();
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        await foreach (var send in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await DeliverAsync(send).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(PendingSend send)
    {
        var request = send.Request;
        try
        {
            while (true)
            {
                try
                {
                    var connection = await _gate.WaitAsync(send.CancellationToken).ConfigureAwait(false);
                    var ack = await connection.RequestAsync(
                        CommandCode.SendMessage, request, SendMessageResponse.Parser, _options.SendAckTimeout, send.CancellationToken)
                        .ConfigureAwait(false);
                    send.Complete(ack);
                    return;
                }
                catch (ImConnectionException) when (!_gate.IsStopped)
                {
                    // The link went down under the send: the next link gets it again.
                }
                catch (TimeoutException)
                {
                    // No ack in time: the server may or may not have stored it; the resend flag lets it tell.
                }
                catch (ImServerException ex) when (ex.Code == ErrorCode.Unavailable)
                {
                    await Task.Delay(_options.ReconnectInitialDelay, _options.TimeProvider, send.CancellationToken).ConfigureAwait(false);
                }

                // The queued frame may still be serialized by the old link's writer, so change a copy, not it.
                request = request.Clone();
                request.Resend = true;
            }
        }
        catch (OperationCanceledException) when (send.CancellationToken.IsCancellationRequested)
        {
            send.Cancel();
        }
        catch (Exception ex)
        {
            send.Fail(ex);
        }
        finally
        {
            send.Dispose();
        }
    }

    private sealed class PendingSend : IDisposable
    {
        private readonly TaskCompletionSource<SendMessageResponse> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        public PendingSend(SendMessageRequest request, CancellationToken cancellationToken)
        {
            Request = request;
            CancellationToken = cancellationToken;

            // A caller that gives up while its send is still queued behind others hears of it at once.
            _registration = cancellationToken.Register(Cancel);
        }

        public SendMessageRequest Request { get; }

        public CancellationToken CancellationToken { get; }

        public Task<SendMessageResponse> Task => _completion.Task;

        public void Complete(SendMessageResponse ack) => _completion.TrySetResult(ack);

        public void Cancel() => _completion.TrySetCanceled(CancellationToken);

        public void Fail(Exception error) => _completion.TrySetException(error);

        public void Dispose() => _registration.Dispose();
    }
}
