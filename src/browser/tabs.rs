//! The other tabs of this origin and user: a BroadcastChannel (the `storage`
//! event where it is missing) carries each tab's view of the session, storage
//! keeps the latest for tabs opened later, and a Web Lock elects the one tab
//! that sends the automatic keep-alives. The lock is released by the browser
//! when its tab closes or crashes, and the next waiting tab takes over.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, BroadcastChannel, Event, MessageEvent, StorageEvent, Window};

use super::listener::Listener;
use super::storage::Store;
use crate::core::tabs::{self, Shared};

/// Holds (or waits for) the leader lock; dropping it releases the lock or withdraws the request.
struct LeaderLock {
    abort: AbortController,
    release: Function,
    _on_grant: Closure<dyn FnMut(JsValue) -> Promise>,
    _on_abort: Closure<dyn FnMut(JsValue)>,
}

impl Drop for LeaderLock {
    fn drop(&mut self) {
        self.abort.abort();
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

pub struct Tabs {
    channel: Option<BroadcastChannel>,
    store: Store,
    key: String,
    _listener: Option<Listener>,
    _lock: Option<LeaderLock>,
}

impl Tabs {
    /// `on_message` gets every valid view another tab publishes; `on_leader` is called
    /// once this tab holds the leader lock. Returns whether Web Locks are available (if
    /// not, every tab acts as leader).
    pub fn new(
        window: &Window,
        user: &str,
        on_message: impl Fn(Shared) + 'static,
        on_leader: impl Fn() + 'static,
    ) -> (Tabs, bool) {
        let key = tabs::channel_name(user);
        let channel = BroadcastChannel::new(&key).ok();
        let listener = match &channel {
            Some(channel) => Listener::new(channel.as_ref(), "message", false, true, move |event: Event| {
                let data = event.unchecked_ref::<MessageEvent>().data();
                if let Some(shared) = data.as_string().as_deref().and_then(tabs::decode) {
                    on_message(shared);
                }
            }),
            None => {
                let key = key.clone();
                Listener::new(window.as_ref(), "storage", false, true, move |event: Event| {
                    let event = event.unchecked_ref::<StorageEvent>();
                    if event.key().as_deref() == Some(key.as_str()) {
                        if let Some(shared) = event.new_value().as_deref().and_then(tabs::decode) {
                            on_message(shared);
                        }
                    }
                })
            }
        };
        let lock = leader_lock(window, &tabs::leader_lock_name(user), on_leader);
        let has_locks = lock.is_some();
        (Tabs { channel, store: Store::open(window), key, _listener: Some(listener), _lock: lock }, has_locks)
    }

    /// The view the last tab stored, for a page that opens now.
    pub fn stored(&self) -> Option<Shared> {
        self.store.get(&self.key).as_deref().and_then(tabs::decode)
    }

    pub fn publish(&self, shared: &Shared) {
        let text = tabs::encode(shared);
        if let Some(channel) = &self.channel {
            let _ = channel.post_message(&JsValue::from_str(&text));
        }
        // Also the fallback channel: other tabs without BroadcastChannel get the `storage` event.
        let _ = self.store.set(&self.key, &text);
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        if let Some(channel) = &self.channel {
            channel.close();
        }
    }
}

/// Requests the named Web Lock and keeps it until dropped.
fn leader_lock(window: &Window, name: &str, on_leader: impl Fn() + 'static) -> Option<LeaderLock> {
    let locks = Reflect::get(&window.navigator(), &JsValue::from_str("locks")).ok().filter(|l| l.is_object())?;
    let request: Function = Reflect::get(&locks, &JsValue::from_str("request")).ok()?.dyn_into().ok()?;
    let abort = AbortController::new().ok()?;
    // Held until `release` is called: the lock lives as long as this promise is pending.
    let mut release = None;
    let held = Promise::new(&mut |resolve, _| release = Some(resolve));
    let release = release?;
    let on_grant = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
        on_leader();
        held.clone()
    });
    // Withdrawing a waiting request rejects its promise: expected, not an error.
    let on_abort = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
    let options = Object::new();
    let _ = Reflect::set(&options, &JsValue::from_str("signal"), &abort.signal());
    let pending = request.call3(&locks, &JsValue::from_str(name), &options, on_grant.as_ref()).ok()?;
    let _ = pending.dyn_into::<Promise>().map(|p| p.catch(&on_abort));
    Some(LeaderLock { abort, release, _on_grant: on_grant, _on_abort: on_abort })
}
