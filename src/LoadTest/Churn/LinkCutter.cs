using System.Net;
using System.Net.Sockets;

namespace ImOrleans.LoadTest.Churn;

/// <summary>
/// A loopback TCP relay in front of the edge for one churning user: the user's SDK connects here, and
/// <see cref="CutAll"/> resets both halves of every relayed link at once, which the SDK sees as a broken
/// connection (and the edge as a vanished client), as when a phone loses its network.
/// </summary>
internal sealed class LinkCutter : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _server;
    private readonly HashSet<(Socket Client, Socket Server)> _links = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LinkCutter(IPEndPoint server)
    {
        _server = server;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = AcceptLoopAsync();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>Resets every live link; returns how many there were.</summary>
    public int CutAll()
    {
        (Socket Client, Socket Server)[] links;
        lock (_links)
        {
            links = [.. _links];
            _links.Clear();
        }

        foreach (var (client, server) in links)
        {
            Reset(client);
            Reset(server);
        }

        return links.Length;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        CutAll();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(_server, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                Reset(client);
                server.Dispose();
                continue;
            }

            var link = (client, server);
            lock (_links)
            {
                _links.Add(link);
            }

            _ = RelayAsync(link, client, server);
            _ = RelayAsync(link, server, client);
        }
    }

    private async Task RelayAsync((Socket, Socket) link, Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                var pending = buffer.AsMemory(0, read);
                while (!pending.IsEmpty)
                {
                    pending = pending[await to.SendAsync(pending, SocketFlags.None).ConfigureAwait(false)..];
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut, or closed by one side.
        }

        lock (_links)
        {
            _links.Remove(link);
        }

        Reset(from);
        Reset(to);
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close with RST, so both ends learn at once that the link is gone.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
