namespace ImOrleans.Grains;

/// <summary>
/// Lets a group's sends overlap while every change of members, settings or seqs other than a send runs alone. Sends
/// interleave in Orleans' terms (so that each waits only for its own commit, not for the sends before it), and
/// Orleans then lets any call of the grain start beside them; this gate puts the order back: a change waits until the
/// sends in flight are done, and sends that arrive while a change waits or runs wait for it. Used only from the grain's
/// turns, which never run in parallel, so it needs no locking.
/// </summary>
internal sealed class SendGate
{
    private int _sends;
    private bool _changeRunning;
    private int _changesWaiting;
    private TaskCompletionSource? _opened;

    public async ValueTask EnterSendAsync()
    {
        while (_changeRunning || _changesWaiting > 0)
        {
            await Opened();
        }

        _sends++;
    }

    public void ExitSend()
    {
        if (--_sends == 0)
        {
            Open();
        }
    }

    public async ValueTask EnterChangeAsync()
    {
        _changesWaiting++;
        try
        {
            while (_changeRunning || _sends > 0)
            {
                await Opened();
            }
        }
        finally
        {
            _changesWaiting--;
        }

        _changeRunning = true;
    }

    public void ExitChange()
    {
        _changeRunning = false;
        Open();
    }

    private Task Opened() => (_opened ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes every waiter to look again (they are few: changes are rare, and sends wait only behind one).</summary>
    private void Open()
    {
        var opened = _opened;
        _opened = null;
        opened?.SetResult();
    }
}
