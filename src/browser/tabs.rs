//! The other tabs of this origin and user: a BroadcastChannel (the `storage`
//! event where it is missing) carries each tab's view of the session, storage
//! keeps the latest for tabs opened later, and a Web Lock elects the one tab
//! that sends the automatic keep-alives. The lock is released by the browser
//! when its tab closes or crashes, and the next waiting tab takes over.

use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, Event, StorageEvent, Window};

use super::listener::{Callback, Listen, Listener};
use super::storage::Store;
use crate::core::keys;
use crate::core::session::TabView;
use crate::core::tabs;

/// Holds (or waits for) the leader lock; dropping it releases the lock or withdraws the request.
#[must_use = "the lock is released when dropped"]
struct LeaderLock {
    release: Function,
    _on_grant: Callback,
}

impl Drop for LeaderLock {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    /// Requests the Web Lock `name` (stolen from its holder with `steal`); `on_grant(true)` is
    /// called once it is held, `on_grant(false)` if another tab steals it (nothing else would tell
    /// this tab). Returns the function that releases it (or withdraws the request), or undefined
    /// without Web Locks.
    #[wasm_bindgen(js_name = leaderLock)]
    fn request_lock(navigator: &JsValue, name: &str, steal: bool, on_grant: &JsValue) -> JsValue;
}

/// This tab's connection to the others; dropping it closes the channel and gives up the lock.
#[must_use = "the tab leaves the others when dropped"]
pub struct Tabs {
    channel: Option<BroadcastChannel>,
    store: Store,
    key: String,
    _listener: Option<Listener>,
    lock: Option<LeaderLock>,
    window: Window,
    lock_name: String,
    on_leader: Rc<dyn Fn(bool)>,
}

impl Tabs {
    /// `on_message` gets every valid view another tab publishes; once this tab queued for the
    /// leader lock ([`Tabs::queue_for_leader`]), `on_leader(true)` is called when it holds it,
    /// `on_leader(false)` when another tab stole it (a new login's page takes the lead: the
    /// holder is told only through its request's rejection).
    pub fn new(
        window: &Window,
        user: &str,
        on_message: impl Fn(TabView) + 'static,
        on_leader: impl Fn(bool) + 'static,
    ) -> Tabs {
        let on_leader: Rc<dyn Fn(bool)> = Rc::new(on_leader);
        let key = keys::tab_view_key(user);
        let channel = BroadcastChannel::new(&key).ok();
        let listener = match &channel {
            Some(channel) => Listener::new(channel.as_ref(), "message", Listen::PASSIVE, move |event: Event| {
                let data = super::page::prop(&event, "data");
                if let Some(shared) = data.as_string().as_deref().and_then(tabs::decode) {
                    on_message(shared);
                }
            }),
            None => {
                let key = key.clone();
                Listener::new(window.as_ref(), "storage", Listen::PASSIVE, move |event: Event| {
                    let event = event.unchecked_ref::<StorageEvent>();
                    if super::page::prop(event, "key").as_string().as_deref() == Some(key.as_str()) {
                        if let Some(shared) = super::page::prop(event, "newValue").as_string().as_deref().and_then(tabs::decode) {
                            on_message(shared);
                        }
                    }
                })
            }
        };
        let lock_name = keys::leader_lock_name(user);
        let store = Store::open(window);
        Tabs {
            channel,
            store,
            key,
            _listener: Some(listener),
            lock: None,
            window: window.clone(),
            lock_name,
            on_leader,
        }
    }

    /// Requests the leader lock, giving up any held or requested first; `steal` takes it from
    /// its holder (the core decides: [`crate::core::machine::ToTabs::QueueForLeader`]). Returns
    /// whether it was requested: false without Web Locks.
    pub fn queue_for_leader(&mut self, steal: bool) -> bool {
        self.lock = None;
        self.lock = leader_lock(&self.window, &self.lock_name, self.on_leader.clone(), steal);
        self.lock.is_some()
    }

    /// The view the last tab stored, for a page that opens now.
    pub fn stored(&self) -> Option<TabView> {
        self.store.get(&self.key).as_deref().and_then(tabs::decode)
    }

    /// Tells the other tabs this tab's view, and stores it for tabs opened later.
    pub fn publish(&self, view: &TabView) {
        let text = tabs::encode(view);
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

/// Requests the named Web Lock and keeps it until dropped; `steal` takes it from its holder.
fn leader_lock(window: &Window, name: &str, on_leader: Rc<dyn Fn(bool)>, steal: bool) -> Option<LeaderLock> {
    // Called with true once the lock is held, with false when another tab stole it.
    let on_grant = Callback::wrap(Box::new(move |held: JsValue| on_leader(held.is_truthy())));
    let release = request_lock(&super::page::prop(window, "navigator"), name, steal, on_grant.as_ref());
    let release = release.dyn_into::<Function>().ok()?;
    Some(LeaderLock { release, _on_grant: on_grant })
}
