using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Invocation;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// A 1:1 conversation (<c>s:a:b</c>) or a user's notice conversation (<c>n:user</c>). Owns the seq counter (through
/// its <see cref="MessageLog"/>), so it is not reentrant: each send (ConversationGrain.Send.cs) takes the next seq in a
/// turn of its own, and their commits, which may overlap, are taken in in seq order, so seqs stay contiguous (R15). Only <see cref="Pull"/>, which changes nothing, may interleave. Receipts are in
/// ConversationGrain.Receipts.cs, revokes in ConversationGrain.Revoke.cs.
/// </summary>
[GrainType("conversation")]
[MayInterleave(nameof(IsReadOnly))]
internal sealed partial class ConversationGrain(
    IMessageStore store,
    TimeProvider time,
    IOptions<ConversationOptions> options,
    IOptions<MessagingOptions> messaging,
    IOptions<UserGrainOptions> userOptions,
    SiloDeaths siloDeaths,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    /// <summary>Members of a 1:1 or notice conversation see it from its first message.</summary>
    private const long FirstSeq = 1;

    private readonly ConversationOptions _options = options.Value;
    private MessageLog _log = null!;
    private string _id = "";
    private string[] _members = [];
    private IUserGrain?[] _memberGrains = [];

    /// <summary>
    /// Every member's user grain has durably recorded the conversation. Not stored: a conversation with a message
    /// was created before it (EnsureCreatedAsync runs before the first append), and one without asks again, which
    /// the user grains answer idempotently.
    /// </summary>
    private bool _created;

    /// <summary>A notice conversation: its one member reads it; only business services (through the notice API) write to it.</summary>
    private bool _isNotice;

    public static bool IsReadOnly(IInvokable request) => request.GetMethodName() == nameof(Pull);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = this.GetPrimaryKeyString();
        _log = new MessageLog(_id, store, time, _options.RecentSendCapacity, logger, DeactivateOnIdle);
        _positions = new MemberPositions(this, _id, store, time, logger, TellOwnSends);
        if (Identifiers.TryParseSingle(_id, out var a, out var b))
        {
            _members = [a, b];
        }
        else if (Identifiers.TryParseNotice(_id, out var user))
        {
            _members = [user];
            _isNotice = true;
        }
        else
        {
            return; // No members: every call is rejected with ConversationNotFound.
        }

        _memberGrains = new IUserGrain?[_members.Length];
        _lastSent = new long[_members.Length];
        _toldSent = new long[_members.Length];
        if (!_isNotice)
        {
            _localSessions = ServiceProvider.GetService<ILocalSessions>();
            StartRoutes();
        }

        await _log.LoadAsync();
        _created = _log.MaxSeq >= FirstSeq;
        await LoadReceiptsAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Not while the silo stops: its user grains are going too, and Orleans could not deliver the calls.
        var siloStops = reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        if (!siloStops)
        {
            StopRoutes();
        }

        return _positions.FlushAllAsync(tell: !siloStops);
    }

    public async Task<HistoryPage> Pull(string userId, long minSeq, long maxSeq, int limit)
    {
        RequireMember(userId);
        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        var newest = _log.MaxSeq;
        var messages = await _log.ReadAsync(userId, minSeq, maxSeq, take, FirstSeq, newest);
        return new HistoryPage { Messages = messages, MaxSeq = newest, InitSeq = FirstSeq };
    }

    private void RequireMember(string userId)
    {
        if (_members.Length == 0)
        {
            throw new RequestRejectedException(ErrorCode.ConversationNotFound, "No such conversation.");
        }

        if (!IsMember(userId))
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this conversation.");
        }
    }

    private bool IsMember(string userId) => Array.IndexOf(_members, userId) >= 0;

    /// <summary>
    /// The member's user grain. References are made once per activation: Orleans' GetGrain formats the interface's
    /// type name on every call, which showed up as several percent of the server's CPU on the message path.
    /// </summary>
    private IUserGrain User(string userId)
    {
        var index = Array.IndexOf(_members, userId);
        if (index < 0)
        {
            return GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(userId));
        }

        return _memberGrains[index] ??= GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(userId));
    }
}
