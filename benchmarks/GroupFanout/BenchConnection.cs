using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.GroupFanout;

/// <summary>
/// A bare protocol client: one socket, a read loop that completes requests by id and hands every push to a
/// callback with the time it was cut out of the stream. No SDK machinery (acks, sync), so the benchmark measures
/// the server's fan-out, not the client's bookkeeping.
/// </summary>
internal sealed class BenchConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<(FrameHeader, byte[])>> _pending = new();
    private readonly Action<MessagePush, long> _onPush;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private uint _nextId;
    private Task _reading = Task.CompletedTask;

    private BenchConnection(Socket socket, Action<MessagePush, long> onPush)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream);
        _onPush = onPush;
    }

    public static async Task<BenchConnection> OpenAsync(IPEndPoint edge, string userId, string token, Action<MessagePush, long> onPush)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(edge).WaitAsync(TimeSpan.FromSeconds(30));
        var connection = new BenchConnection(socket, onPush);
        connection._reading = connection.ReadLoopAsync();
        var (header, body) = await connection.RequestAsync(CommandCode.Login, new LoginRequest { UserId = userId, Token = token, DeviceId = "bench", Platform = "bench" });
        if (header.IsError)
        {
            throw new InvalidOperationException($"login of {userId} failed: {ErrorBody.Parser.ParseFrom(body).Reason}");
        }

        return connection;
    }

    public async Task<(FrameHeader Header, byte[] Body)> RequestAsync(CommandCode command, IMessage body)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<(FrameHeader, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.Write(buffer, command, FrameFlags.None, id, body);
        await WriteAsync(buffer.WrittenMemory);
        return await answer.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        // Frames from concurrent callers must not interleave on the stream.
        await _writeLock.WaitAsync();
        try
        {
            while (!bytes.IsEmpty)
            {
                bytes = bytes[await _socket.SendAsync(bytes)..];
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                var now = System.Diagnostics.Stopwatch.GetTimestamp();
                while (FrameReader.TryRead(ref buffer, 16 << 20, out var frame, out _) == FrameReadStatus.Frame)
                {
                    if (frame.Header.IsPush)
                    {
                        if (frame.Header.Command == CommandCode.MessagePush)
                        {
                            _onPush(MessagePush.Parser.ParseFrom(frame.Body), now);
                        }
                    }
                    else if (_pending.TryRemove(frame.Header.RequestId, out var waiter))
                    {
                        waiter.TrySetResult((frame.Header, frame.Body.ToArray()));
                    }
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The benchmark is closing its connections.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Shutdown(SocketShutdown.Both);
        await _stream.DisposeAsync();
        await _reading;
        await _input.CompleteAsync();
    }
}
