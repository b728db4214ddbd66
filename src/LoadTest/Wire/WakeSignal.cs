using System.Threading.Tasks.Sources;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// An auto-reset signal for exactly one waiter (a session's writer loop) that allocates nothing per wait:
/// the hot path wakes the writer once per server ack, so a Task per wait would be an allocation per message.
/// Signals that arrive while the writer is busy collapse into one wake-up.
/// </summary>
internal sealed class WakeSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Signaled = 1;
    private const int Waiting = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>Completes at once if signaled since the last wait, else at the next <see cref="Set"/>. One caller at a time.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
        {
            return ValueTask.CompletedTask;
        }

        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Signaled)
        {
            // Set() ran between the two exchanges: consume it.
            Volatile.Write(ref _state, Idle);
            return ValueTask.CompletedTask;
        }

        return new ValueTask(this, _core.Version);
    }

    public void Set()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Signaled)
            {
                return;
            }

            var next = state == Waiting ? Idle : Signaled;
            if (Interlocked.CompareExchange(ref _state, next, state) == state)
            {
                if (state == Waiting)
                {
                    _core.SetResult(true);
                }

                return;
            }
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
