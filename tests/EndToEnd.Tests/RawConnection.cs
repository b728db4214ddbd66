using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// A bare socket speaking frames, for tests that must send what the SDK never would (bad headers,
/// lying lengths, requests before login). Every read has a deadline.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private uint _nextRequestId;

    private RawConnection(Socket socket)
    {
        _socket = socket;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
    }

    /// <param name="receiveBufferSize">The socket's receive buffer, when a test wants the kernel to hold little of what it does not read.</param>
    public static async Task<RawConnection> ConnectAsync(IPEndPoint endpoint, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(endpoint).WaitAsync(Deadline);
        return new RawConnection(socket);
    }

    /// <summary>A connection to <paramref name="server"/>'s edge, logged in as <paramref name="userId"/> with a valid token.</summary>
    public static async Task<RawConnection> LoggedInAsync(TestServer server, string userId)
    {
        var client = await ConnectAsync(server.Edge);
        await client.LoginAsync(userId, server.TokenFor(userId));
        return client;
    }

    public uint NextRequestId() => ++_nextRequestId;

    public async Task<uint> SendAsync(CommandCode command, IMessage? body, uint? requestId = null, FrameFlags flags = FrameFlags.None)
    {
        var id = requestId ?? NextRequestId();
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.Write(buffer, command, flags, id, body);
        await SendBytesAsync(buffer.WrittenMemory);
        return id;
    }

    public async Task SendBytesAsync(ReadOnlyMemory<byte> bytes) => await _socket.SendAsync(bytes).AsTask().WaitAsync(Deadline);

    public async Task<(FrameHeader Header, byte[] Body)> ReadFrameAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        while (true)
        {
            var result = await _input.ReadAsync(cts.Token);
            var buffer = result.Buffer;
            var status = FrameReader.TryRead(ref buffer, 1 << 20, out var frame, out _);
            if (status == FrameReadStatus.Frame)
            {
                var body = frame.Body.ToArray();
                _input.AdvanceTo(buffer.Start);
                return (frame.Header, body);
            }

            if (status == FrameReadStatus.Invalid)
            {
                throw new InvalidDataException("server sent an invalid frame");
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException("connection closed by the server");
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads frames until the answer to <paramref name="requestId"/>, skipping pushes.</summary>
    public async Task<(FrameHeader Header, byte[] Body)> ReadResponseAsync(uint requestId)
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            if (frame.Header.IsResponse && frame.Header.RequestId == requestId)
            {
                return frame;
            }
        }
    }

    /// <summary>Reads frames until the next one that is not a push: a response, to whichever request.</summary>
    public async Task<(FrameHeader Header, byte[] Body)> ReadNextResponseAsync()
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            if (!frame.Header.IsPush)
            {
                return frame;
            }
        }
    }

    public async Task<ErrorBody> ReadErrorAsync(uint requestId)
    {
        var (header, body) = await ReadResponseAsync(requestId);
        Assert.True(header.IsError, $"expected an error frame for request {requestId}, got {header.Command} {header.Flags}");
        return ErrorBody.Parser.ParseFrom(body);
    }

    /// <summary>Completes when the server has closed the connection (reads reach end of stream).</summary>
    public async Task WaitClosedAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cts.Token);
            }
            catch (IOException)
            {
                return;
            }

            if (result.IsCompleted)
            {
                return;
            }

            _input.AdvanceTo(result.Buffer.End);
        }
    }

    public async Task<LoginResponse> LoginAsync(string userId, string token, string deviceId = "raw-device")
    {
        var id = await SendAsync(CommandCode.Login, new LoginRequest { UserId = userId, Token = token, DeviceId = deviceId, Platform = "test" });
        var (header, body) = await ReadResponseAsync(id);
        Assert.False(header.IsError, header.IsError ? ErrorBody.Parser.ParseFrom(body).Reason : "");
        return LoginResponse.Parser.ParseFrom(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        _socket.Dispose();
    }
}
