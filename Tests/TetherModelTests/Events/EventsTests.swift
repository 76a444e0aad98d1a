import Testing
import TetherModel

/// A plain emitter, like `_.extend({}, Backbone.Events)`.
final class Emitter: EventEmitter {
    let eventHub = EventHub()
    var counter = 0
}

/// Ports of Backbone's test/events.js.
@Suite struct EventsTests {
    @Test("on and trigger") func onAndTrigger() {
        let obj = Emitter()
        obj.on("event") { _ in obj.counter += 1 }
        obj.trigger("event")
        #expect(obj.counter == 1)
        for _ in 0..<4 { obj.trigger("event") }
        #expect(obj.counter == 5)
    }

    @Test("binding and triggering multiple events") func multipleEvents() {
        let obj = Emitter()
        obj.on("a b c") { _ in obj.counter += 1 }
        obj.trigger("a")
        #expect(obj.counter == 1)
        obj.trigger("a b")
        #expect(obj.counter == 3)
        obj.trigger("c")
        #expect(obj.counter == 4)
        obj.off("a c")
        obj.trigger("a b c")
        #expect(obj.counter == 5)
    }

    @Test("binding and triggering with event maps") func eventMaps() {
        let obj = Emitter()
        let increment: EventHandler = { _ in obj.counter += 1 }
        let token = obj.on(["a": increment, "b": increment, "c": increment])
        obj.trigger("a")
        #expect(obj.counter == 1)
        obj.trigger("a b")
        #expect(obj.counter == 3)
        obj.trigger("c")
        #expect(obj.counter == 4)
        obj.off("a c", token: token)
        obj.trigger("a b c")
        #expect(obj.counter == 5)
    }

    @Test("binding and triggering multiple event names with event maps") func multipleNamesInMaps() {
        let obj = Emitter()
        obj.on(["a b c": { _ in obj.counter += 1 }])
        obj.trigger("a")
        #expect(obj.counter == 1)
        obj.trigger("a b")
        #expect(obj.counter == 3)
        obj.off("a c")
        obj.trigger("a b c")
        #expect(obj.counter == 4)
    }

    @Test("listenTo and stopListening") func listenToAndStopListening() {
        let a = Emitter(), b = Emitter()
        a.listenTo(b, "all") { _ in a.counter += 1 }
        b.trigger("anything")
        a.listenTo(b, "all") { _ in Issue.record("second listener must not fire") }
        a.stopListening()
        b.trigger("anything")
        #expect(a.counter == 1)
    }

    @Test("listenTo and stopListening with event maps") func listenToMaps() {
        let a = Emitter(), b = Emitter()
        let cb: EventHandler = { _ in a.counter += 1 }
        a.listenTo(b, ["event": cb])
        b.trigger("event")
        a.listenTo(b, ["event2": cb])
        b.on("event2") { _ in b.counter += 1 }
        a.stopListening(b, "event2")
        b.trigger("event event2")
        a.stopListening()
        b.trigger("event event2")
        #expect(a.counter == 2)
        #expect(b.counter == 2)
    }

    @Test("stopListening with omitted args") func stopListeningOmittedArgs() {
        let a = Emitter(), b = Emitter()
        var count = 0
        let cb: EventHandler = { _ in count += 1 }
        a.listenTo(b, "event", cb)
        b.on("event", cb)
        let token = a.listenTo(b, "event2", cb)
        a.stopListening(nil, token: token)
        b.trigger("event event2")
        #expect(count == 2)
        a.stopListening(b)
        b.trigger("event event2")
        #expect(count == 3)
    }

    @Test("listenToOnce") func listenToOnce() {
        let obj = Emitter(), a = Emitter(), b = Emitter()
        var counterA = 0, counterB = 0
        obj.listenToOnce(a, "event") { _ in counterA += 1 }
        obj.listenToOnce(b, "event") { _ in counterB += 1 }
        a.trigger("event")
        b.trigger("event")
        a.trigger("event")
        #expect(counterA == 1)
        #expect(counterB == 1)
    }

    @Test("listenToOnce and stopListening") func listenToOnceAndStop() {
        let a = Emitter(), b = Emitter()
        a.listenToOnce(b, "all") { _ in Issue.record("must not fire") }
        a.listenToOnce(b, "all") { _ in Issue.record("must not fire") }
        a.stopListening()
        b.trigger("anything")
    }

    @Test("listenTo, listenToOnce and stopListening") func mixedListenOnce() {
        let a = Emitter(), b = Emitter()
        a.listenToOnce(b, "all") { _ in a.counter += 1 }
        a.listenTo(b, "all") { _ in Issue.record("must not fire after stopListening") }
        a.stopListening()
        b.trigger("anything")
        #expect(a.counter == 0)
    }

    @Test("listenTo yourself") func listenToYourself() {
        let e = Emitter()
        e.listenTo(e, "foo") { _ in e.counter += 1 }
        e.trigger("foo")
        #expect(e.counter == 1)
    }

    @Test("listenTo yourself cleans yourself up with stopListening") func listenToYourselfCleanup() {
        let e = Emitter()
        e.listenTo(e, "foo") { _ in e.counter += 1 }
        e.trigger("foo")
        e.stopListening()
        e.trigger("foo")
        #expect(e.counter == 1)
    }

    @Test("stopListening cleans up references") func stopListeningCleansUp() {
        let a = Emitter(), b = Emitter()
        let fn: EventHandler = { _ in }
        b.on("event", fn)
        a.listenTo(b, "event", fn)
        a.stopListening()
        #expect(!a.eventHub.isListening(to: b))
        #expect(b.eventHub.count == 1)
        a.listenTo(b, "event", fn)
        a.stopListening(b)
        #expect(!a.eventHub.isListening(to: b))
        a.listenTo(b, "event", fn)
        a.stopListening(b, "event")
        #expect(!a.eventHub.isListening(to: b))
        let token = a.listenTo(b, "event", fn)
        a.stopListening(b, "event", token: token)
        #expect(!a.eventHub.isListening(to: b))
        #expect(b.eventHub.count == 1)
    }

    @Test("stopListening cleans up references from listenToOnce") func stopListeningOnceCleanup() {
        let a = Emitter(), b = Emitter()
        a.listenToOnce(b, "event") { _ in }
        a.stopListening()
        #expect(!a.eventHub.isListening(to: b))
        #expect(b.eventHub.isEmpty)
    }

    @Test("listenTo and off cleaning up references") func listenToAndOffCleanup() {
        let a = Emitter(), b = Emitter()
        let fn: EventHandler = { _ in }
        a.listenTo(b, "event", fn)
        b.off()
        #expect(!a.eventHub.isListening(to: b))
        a.listenTo(b, "event", fn)
        b.off("event")
        #expect(!a.eventHub.isListening(to: b))
        let token = a.listenTo(b, "event", fn)
        b.off(nil, token: token)
        #expect(!a.eventHub.isListening(to: b))
        a.listenTo(b, "event", fn)
        b.off(nil, context: a)
        #expect(!a.eventHub.isListening(to: b))
    }

    @Test("listenToOnce without context cleans up references after the event has fired") func listenToOnceFired() {
        let a = Emitter(), b = Emitter()
        var fired = 0
        a.listenToOnce(b, "all") { _ in fired += 1 }
        b.trigger("anything")
        #expect(fired == 1)
        #expect(!a.eventHub.isListening(to: b))
        #expect(b.eventHub.isEmpty)
    }

    @Test("listenToOnce with event maps cleans up references") func listenToOnceMaps() {
        let a = Emitter(), b = Emitter()
        var one = 0, two = 0
        a.listenToOnce(b, ["one": { _ in one += 1 }, "two": { _ in two += 1 }])
        b.trigger("one")
        #expect(a.eventHub.isListening(to: b))
        b.trigger("one two")
        #expect(one == 1 && two == 1)
        #expect(!a.eventHub.isListening(to: b))
    }

    @Test("trigger all for each event") func triggerAllForEachEvent() {
        let obj = Emitter()
        var a = false, b = false
        obj.on("all") { event in
            obj.counter += 1
            if event.name == "a" { a = true }
            if event.name == "b" { b = true }
        }
        obj.trigger("a b")
        #expect(a && b)
        #expect(obj.counter == 2)
    }

    @Test("on, then unbind all functions") func unbindAll() {
        let obj = Emitter()
        obj.on("event") { _ in obj.counter += 1 }
        obj.trigger("event")
        obj.off("event")
        obj.trigger("event")
        #expect(obj.counter == 1)
    }

    @Test("bind two callbacks, unbind only one") func unbindOnlyOne() {
        let obj = Emitter()
        var counterB = 0
        let a = obj.on("event") { _ in obj.counter += 1 }
        obj.on("event") { _ in counterB += 1 }
        obj.trigger("event")
        obj.off("event", token: a)
        obj.trigger("event")
        #expect(obj.counter == 1)
        #expect(counterB == 2)
    }

    @Test("unbind a callback in the midst of it firing") func unbindWhileFiring() {
        let obj = Emitter()
        var token: EventToken?
        token = obj.on("event") { _ in
            obj.counter += 1
            obj.off("event", token: token)
        }
        obj.trigger("event")
        obj.trigger("event")
        obj.trigger("event")
        #expect(obj.counter == 1)
    }

    @Test("two binds that unbind themeselves") func twoSelfUnbinding() {
        let obj = Emitter()
        var a = 0, b = 0
        var tokenA: EventToken?, tokenB: EventToken?
        tokenA = obj.on("event") { _ in a += 1; obj.off("event", token: tokenA) }
        tokenB = obj.on("event") { _ in b += 1; obj.off("event", token: tokenB) }
        obj.trigger("event")
        obj.trigger("event")
        obj.trigger("event")
        #expect(a == 1 && b == 1)
    }

    @Test("nested trigger with unbind") func nestedTriggerWithUnbind() {
        let obj = Emitter()
        var token1: EventToken?
        token1 = obj.on("event") { _ in
            obj.off("event", token: token1)
            obj.counter += 1
            obj.trigger("event")
        }
        obj.on("event") { _ in obj.counter += 1 }
        obj.trigger("event")
        #expect(obj.counter == 3)
    }

    @Test("callback list is not altered during trigger") func listNotAlteredDuringTrigger() {
        var counter = 0
        let obj = Emitter()
        let incr: EventHandler = { _ in counter += 1 }
        obj.on("event") { _ in obj.on("event", incr); obj.on("all", incr) }
        obj.trigger("event")
        #expect(counter == 0, "bind does not alter callback list")
        obj.off()
        obj.on("event") { _ in obj.off("event"); obj.off("all") }
        obj.on("event", incr)
        obj.on("all", incr)
        obj.trigger("event")
        #expect(counter == 2, "unbind does not alter callback list")
    }

    @Test("#1282 - 'all' callback list is retrieved after each event.") func allListRetrievedPerEvent() {
        var counter = 0
        let obj = Emitter()
        obj.on("x") { _ in obj.on("y") { _ in counter += 1 }; obj.on("all") { _ in counter += 1 } }
        obj.trigger("x y")
        #expect(counter == 2)
    }

    @Test("remove all events for a specific context") func removeByContext() {
        let obj = Emitter()
        let context = Emitter()
        var kept = 0
        obj.on("x y all") { _ in kept += 1 }
        obj.on("x y all", context: context) { _ in Issue.record("removed by context") }
        obj.off(nil, context: context)
        obj.trigger("x y")
        #expect(kept == 4)
    }

    @Test("remove all events for a specific callback") func removeByCallback() {
        let obj = Emitter()
        var kept = 0
        obj.on("x y all") { _ in kept += 1 }
        let fail = obj.on("x y all") { _ in Issue.record("removed by token") }
        obj.off(nil, token: fail)
        obj.trigger("x y")
        #expect(kept == 4)
    }

    @Test("#1310 - off does not skip consecutive events") func offDoesNotSkip() {
        let obj = Emitter()
        let context = Emitter()
        obj.on("event", context: context) { _ in Issue.record("removed") }
        obj.on("event", context: context) { _ in Issue.record("removed") }
        obj.off(nil, context: context)
        obj.trigger("event")
    }

    @Test("once") func once() {
        let obj = Emitter()
        var a = 0, b = 0
        obj.once("event") { _ in a += 1 }
        obj.once("event") { _ in b += 1 }
        obj.trigger("event")
        obj.trigger("event")
        #expect(a == 1 && b == 1)
    }

    @Test("once variant one") func onceVariantOne() {
        var f = 0
        let a = Emitter(), b = Emitter()
        let fn: EventHandler = { _ in f += 1 }
        a.once("event", fn)
        b.on("event", fn)
        a.trigger("event")
        b.trigger("event")
        b.trigger("event")
        #expect(f == 3)
    }

    @Test("once with off") func onceWithOff() {
        let obj = Emitter()
        let token = obj.once("event") { _ in Issue.record("removed before firing") }
        obj.off("event", token: token)
        obj.trigger("event")
    }

    @Test("once with event maps") func onceWithMaps() {
        let obj = Emitter()
        var counter = 0
        obj.once(["a": { _ in counter += 1 }, "b": { _ in counter += 1 }, "c": { _ in counter += 1 }])
        obj.trigger("a")
        #expect(counter == 1)
        obj.trigger("a b")
        #expect(counter == 2)
        obj.trigger("c")
        #expect(counter == 3)
        obj.trigger("a b c")
        #expect(counter == 3)
    }

    @Test("once with off only by context") func onceOffByContext() {
        let context = Emitter()
        let obj = Emitter()
        obj.once("event", context: context) { _ in Issue.record("removed") }
        obj.off(nil, context: context)
        obj.trigger("event")
    }

    @Test("once with multiple events.") func onceMultipleEvents() {
        let obj = Emitter()
        var count = 0
        obj.once("x y") { _ in count += 1 }
        obj.trigger("x y")
        obj.trigger("x y")
        #expect(count == 2)
    }

    @Test("Off during iteration with once.") func offDuringIterationWithOnce() {
        let obj = Emitter()
        var count = 0
        var fToken: EventToken?
        fToken = obj.on("event") { _ in obj.off("event", token: fToken) }
        obj.on("event") { _ in count += 1 }
        obj.once("event") { _ in }
        obj.on("event") { _ in count += 1 }
        obj.trigger("event")
        obj.trigger("event")
        #expect(count == 4)
    }

    @Test("`once` on `all` should work as expected") func onceOnAll() {
        let obj = Emitter()
        var count = 0
        obj.once("all") { _ in count += 1; obj.trigger("all") }
        obj.trigger("all")
        #expect(count == 1)
    }

    @Test("#3448 - listenToOnce with space-separated events") func listenToOnceSpaceSeparated() {
        let one = Emitter(), two = Emitter()
        var count = 1
        one.listenToOnce(two, "x y") { event in
            count += 1
            #expect(event.name == (count == 2 ? "x" : "y"))
        }
        two.trigger("x")
        two.trigger("x")
        two.trigger("y")
        two.trigger("y")
        #expect(count == 3)
    }

    @Test("once never runs twice even from an older snapshot") func onceGuardedAcrossSnapshots() {
        let obj = Emitter()
        var count = 0
        var depth = 0
        obj.on("e") { _ in
            // Re-enter once, while the outer dispatch still holds the once-handler in its snapshot.
            depth += 1
            if depth == 1 { obj.trigger("e") }
        }
        obj.once("e") { _ in count += 1 }
        obj.trigger("e")
        #expect(count == 1)
    }

    @Test("triggering all directly calls all handlers twice") func triggerAllDirectly() {
        let obj = Emitter()
        var names: [String] = []
        obj.on("all") { event in names.append(event.name) }
        obj.trigger("all")
        #expect(names == ["all", "all"])
    }

    @Test("trigger passes JSON arguments to handlers") func triggerArguments() {
        let obj = Emitter()
        var received: [JSON] = []
        obj.on("event") { event in
            if case .custom(_, let args) = event { received = args }
        }
        obj.trigger("event", 1, "two", [3])
        #expect(received == [1, "two", [3]])
    }
}
