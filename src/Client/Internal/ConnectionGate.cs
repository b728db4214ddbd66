namespace ImOrleans.Client.Internal;

/// <summary>
/// Holds the current logged-in link and lets senders wait for the next one. Reset by the link's own close, so a
/// waiter never spins on a dead connection; stopped for good by logout, a final kick or disposal.
/// </summary>
internal sealed class ConnectionGate
{
    private readonly Lock _lock = new();
    private Connection? _current;
    private TaskCompletionSource<Connection> _next = NewSignal();
    private Exception? _stopped;

    /// <summary>The live link, or null while there is none.</summary>
    public Connection? Current
    {
        get
        {
            lock (_lock)
            {
                return _current is { IsClosed: false } connection ? connection : null;
            }
        }
    }

    public bool IsStopped
    {
        get
        {
            lock (_lock)
            {
                return _stopped is not null;
            }
        }
    }

    public void Open(Connection connection)
    {
        lock (_lock)
        {
            if (_stopped is not null)
            {
                connection.Close(null);
                return;
            }

            _current = connection;
            _next.TrySetResult(connection);
        }

        connection.Closing.Register(() => Reset(connection));
    }

    public void Stop(Exception reason)
    {
        lock (_lock)
        {
            _stopped ??= reason;
            _current = null;
            if (!_next.TrySetException(reason))
            {
                _next = NewSignal();
                _next.TrySetException(reason);
            }
        }
    }

    /// <summary>The live link, waiting for one if needed; throws <see cref="ImConnectionException"/> once stopped.</summary>
    public async Task<Connection> WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<Connection> next;
            lock (_lock)
            {
                if (_stopped is not null)
                {
                    throw new ImConnectionException("The client is stopped.", _stopped);
                }

                if (_current is { IsClosed: false } current)
                {
                    return current;
                }

                next = _next.Task;
            }

            try
            {
                var connection = await next.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!connection.IsClosed)
                {
                    return connection;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Stopped meanwhile: the next round of the loop throws the client-stopped error.
            }
        }
    }

    private void Reset(Connection connection)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_current, connection))
            {
                _current = null;
                if (_next.Task.IsCompleted && _stopped is null)
                {
                    _next = NewSignal();
                }
            }
        }
    }

    private static TaskCompletionSource<Connection> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
