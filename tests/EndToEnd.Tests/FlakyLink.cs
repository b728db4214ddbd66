using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ImOrleans.Protocol;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// A loopback TCP relay standing for the network between a client and the edge. It can turn the links
/// open so far into black holes (bytes vanish, nothing is closed) the way a dead mobile network does,
/// while new connections get through. It also reads the frames clients send, so a test can see what went up the wire.
/// </summary>
public sealed class FlakyLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Relay> _relays = [];
    private readonly Task _accepting;

    public FlakyLink(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Every frame clients sent through the link so far (command and body), in arrival order per link.</summary>
    public ConcurrentQueue<(CommandCode Command, byte[] Body)> Upstream { get; } = new();

    /// <summary>From now on, what the server sends on the existing links is dropped; what the client sends still arrives.</summary>
    public void DropServerToClientOnOpenLinks()
    {
        lock (_relays)
        {
            foreach (var relay in _relays)
            {
                relay.DropDownstream = true;
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient { NoDelay = true };
                await server.ConnectAsync(_target, _stop.Token);
                var relay = new Relay(client, server, Upstream);
                lock (_relays)
                {
                    _relays.Add(relay);
                }

                _ = relay.RunAsync(_stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        lock (_relays)
        {
            foreach (var relay in _relays)
            {
                relay.Dispose();
            }
        }
    }

    private sealed class Relay(TcpClient client, TcpClient server, ConcurrentQueue<(CommandCode, byte[])> upstream) : IDisposable
    {
        private byte[] _unparsed = [];

        public volatile bool DropDownstream;

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(
            PumpAsync(client.GetStream(), server.GetStream(), () => false, Tap, stop),
            PumpAsync(server.GetStream(), client.GetStream(), () => DropDownstream, null, stop));

        /// <summary>Splits what the client sent into frames (a frame may span reads).</summary>
        private void Tap(ReadOnlySpan<byte> bytes)
        {
            var sequence = new ReadOnlySequence<byte>([.. _unparsed, .. bytes]);
            while (FrameReader.TryRead(ref sequence, 16 * 1024 * 1024, out var frame, out _) == FrameReadStatus.Frame)
            {
                upstream.Enqueue((frame.Header.Command, frame.Body.ToArray()));
            }

            _unparsed = sequence.ToArray();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to, Func<bool> drop, SpanAction? tap, CancellationToken stop)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await from.ReadAsync(buffer, stop)) > 0)
                {
                    tap?.Invoke(buffer.AsSpan(0, read));
                    if (!drop())
                    {
                        await to.WriteAsync(buffer.AsMemory(0, read), stop);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // One side went away.
            }
            finally
            {
                Dispose();
            }
        }

        private delegate void SpanAction(ReadOnlySpan<byte> bytes);

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
