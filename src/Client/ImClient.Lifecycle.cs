using ImOrleans.Client.Internal;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client;

public sealed partial class ImClient
{
    private const int ConversationPageSize = 100;

    private int _state = (int)ImClientState.Disconnected;
    private int _started;
    private int _disposed;
    private string? _sessionId;
    private Task _supervisor = Task.CompletedTask;
    private TaskCompletionSource _networkChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Opens a link to the first endpoint that answers and logs in; then keeps the session up by itself until
    /// <see cref="LogoutAsync"/>, a final kick or disposal. Can be called again only if it failed.
    /// </summary>
    /// <exception cref="ImServerException">The server refused the login (for example <see cref="ErrorCode.InvalidToken"/>).</exception>
    /// <exception cref="ImConnectionException">No endpoint could be reached.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _started, 1, 0) != 0)
        {
            throw new InvalidOperationException("ConnectAsync was already called on this client.");
        }

        await SetStateAsync(ImClientState.Connecting, null).ConfigureAwait(false);
        Connection connection;
        try
        {
            connection = await LoginAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await SetStateAsync(ImClientState.Disconnected, ex).ConfigureAwait(false);
            Volatile.Write(ref _started, 0);
            throw;
        }

        await OnLoggedInAsync(connection).ConfigureAwait(false);
        _supervisor = SuperviseAsync(connection);
    }

    /// <summary>
    /// Tells the client the network changed (standing for the platform's connectivity event, R7): a client that gave
    /// up reconnecting starts a new round at once, and one that is backing off skips the rest of its wait.
    /// </summary>
    public void NotifyNetworkChanged() =>
        Interlocked.Exchange(ref _networkChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Logs out (R4): tells the server, closes the link and stops for good. Sends still queued fail with
    /// <see cref="ImConnectionException"/>. If the server does not answer in time the client stops anyway.
    /// </summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotStarted();
        var connection = _gate.Current;

        // Stop first, so the server closing the link after the logout does not start a reconnect.
        _stop.Cancel();
        try
        {
            if (connection is not null)
            {
                await connection.RequestAsync(CommandCode.Logout, new LogoutRequest(), LogoutResponse.Parser, Options.RequestTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            await StopAsync(ImClientState.Disconnected, new ImConnectionException("Logged out.")).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the link without logging out (the server sees the session drop), fails queued sends and waits for the event loop to drain.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        await StopAsync(ImClientState.Disconnected, new ImConnectionException("The client was disposed.")).ConfigureAwait(false);
        await _supervisor.ConfigureAwait(false);
        _inbox.Complete();
        await _inbox.Completion.ConfigureAwait(false);
        await _sends.Completion.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task StopAsync(ImClientState finalState, Exception reason)
    {
        _stop.Cancel();
        var connection = _gate.Current;
        _gate.Stop(reason);
        _sends.Complete(reason);
        connection?.Close(null);
        await SetStateAsync(finalState, reason).ConfigureAwait(false);
    }

    /// <summary>Watches the live link; when it drops, reconnects unless the drop was final.</summary>
    private async Task SuperviseAsync(Connection connection)
    {
        while (true)
        {
            await connection.Closed.ConfigureAwait(false);
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            if (connection.Kick is { } kick && (KickReason)kick.Reason is KickReason.ReplacedByNewLogin or KickReason.KickedByAdmin)
            {
                // R5: another login took this device's place, or an admin removed it; coming back would fight it.
                await StopAsync(ImClientState.Kicked, connection.CloseReason ?? new ImConnectionException("Kicked.")).ConfigureAwait(false);
                return;
            }

            await SetStateAsync(ImClientState.Reconnecting, connection.CloseReason).ConfigureAwait(false);
            var next = await ReconnectAsync().ConfigureAwait(false);
            if (next is null)
            {
                return;
            }

            connection = next;
            await OnLoggedInAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Backoff and attempts (R7); null once the client is stopped.</summary>
    private async Task<Connection?> ReconnectAsync()
    {
        var attempt = 0;
        Exception? lastError = null;
        while (!_stop.IsCancellationRequested)
        {
            var networkChanged = Volatile.Read(ref _networkChanged).Task;
            if (attempt >= Options.MaxReconnectAttempts)
            {
                await SetStateAsync(ImClientState.Disconnected, lastError).ConfigureAwait(false);
                try
                {
                    await networkChanged.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }

                await SetStateAsync(ImClientState.Reconnecting, null).ConfigureAwait(false);
                attempt = 0;
            }
            else
            {
                var delay = ReconnectBackoff.Delay(attempt, Options.ReconnectInitialDelay, Options.ReconnectMaxDelay, Random.Shared.NextDouble());
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var elapsed = await Task.WhenAny(Task.Delay(delay, Options.TimeProvider, wait.Token), networkChanged).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                if (_stop.IsCancellationRequested)
                {
                    return null;
                }

                attempt = elapsed == networkChanged ? 1 : attempt + 1;
            }

            try
            {
                return await LoginAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex)
            {
                lastError = ex;
            }
        }

        return null;
    }

    /// <summary>Tries the endpoints in order (R8) and logs in on the first that answers.</summary>
    private async Task<Connection> LoginAsync(CancellationToken cancellationToken)
    {
        // Queued ahead of anything the new link pushes, so pushes of conversations not yet known wait for the list.
        await _inbox.PostAsync(new SyncStarted(), cancellationToken).ConfigureAwait(false);
        try
        {
            var endpoints = await _endpoints.GetOrderAsync(cancellationToken).ConfigureAwait(false);
            string? token = null;
            var failures = new List<Exception>();
            foreach (var endpoint in endpoints)
            {
                Connection? connection = null;
                try
                {
                    connection = await Connection.OpenAsync(endpoint, Options, OnPushAsync, cancellationToken).ConfigureAwait(false);
                    token ??= await Options.TokenProvider(cancellationToken).ConfigureAwait(false);
                    var request = new LoginRequest { UserId = Options.UserId, Token = token, DeviceId = Options.DeviceId, Platform = Options.Platform };
                    var login = await connection.RequestAsync(CommandCode.Login, request, LoginResponse.Parser, Options.RequestTimeout, cancellationToken)
                        .ConfigureAwait(false);
                    StartHeartbeat(connection, login);
                    _endpoints.MarkWorked(endpoint);
                    Volatile.Write(ref _sessionId, login.SessionId);
                    return connection;
                }
                catch (ImServerException ex) when (ex.Code is not (ErrorCode.Unavailable or ErrorCode.Internal))
                {
                    // A refused login is the service's answer; another edge would say the same.
                    connection?.Close(ex);
                    throw;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    connection?.Close(ex);
                    failures.Add(ex);
                }
                catch
                {
                    connection?.Close(null);
                    throw;
                }
            }

            throw new ImConnectionException(
                $"None of the {endpoints.Count} endpoint(s) accepted a login: {string.Join("; ", failures.Select(f => f.Message))}",
                failures.Count == 1 ? failures[0] : new AggregateException(failures));
        }
        catch
        {
            await _inbox.PostAsync(new SyncFinished(), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private void StartHeartbeat(Connection connection, LoginResponse login)
    {
        // The server knows its idle limit best; never beat slower than a third of it (R6).
        var interval = login.HeartbeatIntervalMs > 0 ? TimeSpan.FromMilliseconds(login.HeartbeatIntervalMs) : Options.HeartbeatInterval;
        if (login.IdleTimeoutMs > 0)
        {
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks, TimeSpan.FromMilliseconds(login.IdleTimeoutMs).Ticks / 3));
        }

        var deadLink = TimeSpan.FromTicks(Math.Max(Options.DeadLinkTimeout.Ticks, interval.Ticks * 2));
        connection.StartHeartbeat(interval, deadLink);
    }

    private async Task OnLoggedInAsync(Connection connection)
    {
        _gate.Open(connection);
        await SetStateAsync(ImClientState.Connected, null).ConfigureAwait(false);
        _ = SyncAsync(connection);
    }

    private ValueTask SetStateAsync(ImClientState state, Exception? error)
    {
        var previous = (ImClientState)Interlocked.Exchange(ref _state, (int)state);
        return previous == state
            ? ValueTask.CompletedTask
            : _inbox.PostAsync(new StateChange(new ImClientStateChangedEventArgs(previous, state, error)), CancellationToken.None);
    }
}
