using ImOrleans.Grains;
using ImOrleans.Protocol;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.EdgeGateway.Tests;

/// <summary>The edge's 1:1 sends waiting for their conversations' answers (<see cref="SendAnswers"/>).</summary>
public sealed class SendAnswersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ManualClock _clock = new();

    [Fact]
    public async Task Each_send_gets_its_own_answer_by_token_and_a_late_or_repeated_answer_changes_nothing()
    {
        var answers = new SendAnswers(_clock);
        var first = answers.Expect(out var firstToken);
        var second = answers.Expect(out var secondToken);
        Assert.NotEqual(firstToken, secondToken);

        answers.Answer(secondToken, new SendResult { Seq = 8 });
        answers.Refuse(firstToken, ErrorCode.NotMember, "not a member");
        answers.Answer(secondToken, new SendResult { Seq = 9 });
        answers.Answer(firstToken, new SendResult { Seq = 10 });

        Assert.Equal(8, (await second.WaitAsync(Deadline)).Seq);
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => first.WaitAsync(Deadline));
        Assert.Equal(ErrorCode.NotMember, refused.Code);
        Assert.Equal(0, answers.Count);
    }

    [Fact]
    public async Task A_send_not_answered_within_the_timeout_is_answered_unavailable_and_a_newer_one_waits_on()
    {
        var answers = new SendAnswers(_clock);
        var old = answers.Expect(out _);
        _clock.Advance(TimeSpan.FromSeconds(20));
        var newer = answers.Expect(out var newerToken);

        answers.Expire(_clock.GetTimestamp(), Timeout);
        Assert.False(old.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(11));
        answers.Expire(_clock.GetTimestamp(), Timeout);

        var timedOut = await Assert.ThrowsAsync<RequestRejectedException>(() => old.WaitAsync(Deadline));
        Assert.Equal(ErrorCode.Unavailable, timedOut.Code);
        Assert.False(newer.IsCompleted);
        answers.Answer(newerToken, new SendResult { Seq = 3 });
        Assert.Equal(3, (await newer.WaitAsync(Deadline)).Seq);
    }

    [Fact]
    public async Task After_a_silo_died_every_send_waiting_is_answered_unavailable_so_its_client_resends()
    {
        var answers = new SendAnswers(_clock);
        Task<SendResult>[] waiting = [answers.Expect(out _), answers.Expect(out _), answers.Expect(out _)];

        answers.GiveUpAll();

        foreach (var send in waiting)
        {
            var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => send.WaitAsync(Deadline));
            Assert.Equal(ErrorCode.Unavailable, refused.Code);
        }

        Assert.Equal(0, answers.Count);
    }

    /// <summary>A clock the test moves; timestamps in ticks.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Volatile.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, by.Ticks);
    }
}
