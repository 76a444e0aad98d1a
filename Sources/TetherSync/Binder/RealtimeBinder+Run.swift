// The connection loop: connect, resume, apply batches, reconnect with backoff.

extension RealtimeBinder {
    /// Connects and keeps the bound collections in sync until ``destroy()`` is called, the task is
    /// cancelled, the server sends a fatal close code, or the transport is unavailable.
    ///
    /// Runs in the caller's isolation: every model change happens there.
    public func run(isolation: isolated (any Actor)? = #isolation) async {
        guard let transport else { preconditionFailure("RealtimeBinder.run() without an attached transport") }
        var attempt = 0
        while !isDestroyed && !Task.isCancelled {
            setPhase(.connecting)
            emit(.connecting(attempt: attempt))
            let token = await options.token?()
            let handshake = makeHandshake(token: token)
            let connection: any TransportConnection
            do {
                connection = try await transport.connect(handshake)
            } catch {
                if isDestroyed { break }
                emit(.error(.transport(error)))
                if Self.isFatal(error) {
                    stop(TransportCloseReason(code: "transport-unavailable", message: "\(error)"))
                    return
                }
                if let limit = options.reconnect.maximumAttempts, attempt + 1 >= limit {
                    stop(TransportCloseReason(code: "gave-up", message: "\(attempt + 1) failed attempts"))
                    return
                }
                let delay = backoff(attempt: attempt, reason: TransportCloseReason(code: "connect-failed", message: "\(error)"))
                do { try await options.clock.sleep(milliseconds: delay) } catch {}
                attempt += 1
                continue
            }
            if isDestroyed {
                await connection.close()
                break
            }
            let openedAt = options.clock.now()
            let healthy = await serve(connection, isolation: isolation)
            let closedAt = options.clock.now()
            let lasted = closedAt >= openedAt ? closedAt - openedAt : 0
            if isDestroyed { break }
            if let fatal = fatalClose {
                stop(fatal)
                return
            }
            let stayedUp = lasted >= options.reconnect.healthyAfterMilliseconds
            attempt = healthy.reachedSync && stayedUp ? 0 : attempt + 1
            if let limit = options.reconnect.maximumAttempts, attempt >= limit {
                stop(TransportCloseReason(code: "gave-up", message: "\(attempt) attempts without a healthy connection"))
                return
            }
            let delay = backoff(attempt: attempt, reason: healthy.reason)
            do { try await options.clock.sleep(milliseconds: delay) } catch {}
        }
        stop(TransportCloseReason(code: "normal", message: isDestroyed ? "destroyed" : "cancelled"))
    }

    /// Serves one open connection until it ends.
    private func serve(_ connection: any TransportConnection, isolation: isolated (any Actor)?) async -> (reachedSync: Bool, reason: TransportCloseReason) {
        self.connection = connection
        let sender = FrameSender(connection: connection)
        self.sender = sender
        fatalClose = nil
        closeHint = nil
        for name in order {
            mirrors[name]?.isSynced = false
            mirrors[name]?.resyncPending = false
        }
        setPhase(.open)
        emit(.open)
        // Resend every unacknowledged mutation, in order (PROTOCOL.md 3.2).
        sender.enqueue(outbox.map { $0.frame.encoded() })
        var reachedSync = false
        var reason = TransportCloseReason(code: "eof", message: "the connection ended")
        for await inbound in connection.inbound {
            switch inbound {
            case .frames(let texts):
                // A destroyed binder applies nothing more: `destroy()` saved its state, and what it
                // did not apply is replayed to the next process from the saved cursor.
                for text in texts where !isDestroyed { handleFrame(text) }
                flushEvents()
                collectTombstonesIfDue()
                saveIfNeeded()
                if phase == .synced { reachedSync = true }
            case .closed(let closeReason):
                reason = closeReason
            }
            if isDestroyed || fatalClose != nil {
                await connection.close()
            }
        }
        flushEvents()
        saveIfNeeded()
        // A `close` frame's retry hint counts when the transport itself reported none.
        if reason.retryAfterMilliseconds == nil, let hint = closeHint {
            reason.retryAfterMilliseconds = Int(clamping: hint)
        }
        self.sender = nil
        self.connection = nil
        await sender.finish()
        return (reachedSync, reason)
    }

    /// Picks the delay before the next attempt and reports `reconnecting`.
    private func backoff(attempt: Int, reason: TransportCloseReason) -> UInt64 {
        let hint = reason.retryAfterMilliseconds.map { UInt64(max(0, $0)) }
        let delay = options.reconnect.delay(forAttempt: attempt, hint: hint, using: &random)
        setPhase(.reconnecting)
        emit(.reconnecting(delayMilliseconds: delay, reason: reason))
        return delay
    }

    func makeHandshake(token: String?) -> TransportHandshake {
        let subscriptions = order.map { (collection: $0, cursor: mirrors[$0]?.cursor) }
        let hello = WireFrame.hello(WireFrame.Hello(
            client: options.clientID, token: token, subscriptions: subscriptions, pending: outbox.count
        ))
        return TransportHandshake(clientID: options.clientID, subscriptions: subscriptions, token: token, hello: hello.encoded())
    }

    func stop(_ reason: TransportCloseReason) {
        guard phase != .closed else { return }
        setPhase(.closed)
        emit(.closed(reason))
    }

    func setPhase(_ next: Phase) { phase = next }

    static func isFatal(_ error: TransportError) -> Bool {
        switch error {
        case .unauthorized, .unavailable: return true
        case .handshakeFailed(let status, _): return status == 400 || status == 401 || status == 403 || status == 404
        default: return false
        }
    }
}
