using System.Buffers;
using Google.Protobuf;
using ImOrleans.Protocol;

namespace ImOrleans.Client.Internal;

/// <summary>A request waiting for its answer, keyed by request id in its connection.</summary>
internal abstract class PendingRequest
{
    /// <summary>Parses the answer; called on the read loop while <paramref name="body"/> is still valid.</summary>
    public abstract void Complete(ReadOnlySequence<byte> body);

    public abstract void Fail(Exception error);
}

internal sealed class PendingRequest<T> : PendingRequest
    where T : IMessage<T>
{
    // Continuations must not run on the read loop: a caller that sends the next request inline would stall reads.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MessageParser<T> _parser;

    public PendingRequest(MessageParser<T> parser) => _parser = parser;

    public Task<T> Task => _completion.Task;

    public override void Complete(ReadOnlySequence<byte> body)
    {
        try
        {
            _completion.TrySetResult(_parser.ParseFrom(body));
        }
        catch (InvalidProtocolBufferException ex)
        {
            _completion.TrySetException(new ImServerException(ErrorCode.MalformedBody, $"Undecodable {typeof(T).Name}: {ex.Message}"));
        }
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
