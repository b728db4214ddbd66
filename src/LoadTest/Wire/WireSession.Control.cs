using Google.Protobuf;
using ImOrleans.Protocol;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// Requests outside the message path (group setup): built with the generated classes, written by the writer loop
/// like everything else, answered by request id. Allocations here do not matter.
/// </summary>
internal sealed partial class WireSession
{
    private readonly List<(CommandCode Command, IMessage Body, uint RequestId)> _controlQueue = [];
    private readonly Dictionary<uint, TaskCompletionSource<ControlAnswer>> _controlPending = [];

    /// <summary>Sends one request and returns its answer (an error answer too: check <see cref="ControlAnswer.IsError"/>).</summary>
    public async Task<ControlAnswer> RequestAsync(CommandCode command, IMessage body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<ControlAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            var id = NextRequestId();
            _controlPending[id] = answer;
            _controlQueue.Add((command, body, id));
        }

        _wake.Set();
        return await answer.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    private void WriteControlRequests()
    {
        foreach (var (command, body, id) in _controlQueue)
        {
            FrameWriter.Write(_out, command, FrameFlags.None, id, body);
        }

        _controlQueue.Clear();
    }

    private bool TryCompleteControl(FrameHeader header, ReadOnlySpan<byte> body)
    {
        if (!_controlPending.Remove(header.RequestId, out var answer))
        {
            return false;
        }

        answer.TrySetResult(new ControlAnswer(header.IsError, header.IsError ? (ErrorCode)ReadUInt32Field(body, 1) : default, body.ToArray()));
        return true;
    }
}

/// <summary>The answer to a control request: its body, or the error code when the server refused it.</summary>
internal sealed record ControlAnswer(bool IsError, ErrorCode Error, byte[] Body);
