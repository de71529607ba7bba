//! The API's data, one file per area. Field names are the wire's (snake_case).

pub mod account;
pub mod branding;
pub mod customer;
pub mod dashboard;
pub mod list;
pub mod subscription;
pub mod token;
pub mod transcript;
pub mod usage;
pub mod user;

pub(crate) fn default_true() -> bool {
    true
}

/// A string enum of the wire that keeps values it does not know as `Other(value)`, so a new
/// value on the server does not make a whole record unreadable.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            Other(String),
        }

        impl $name {
            /// The value as the wire writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }

            pub fn from_wire(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($wire) {
                    return $name::$variant;
                })+
                $name::Other(s.to_string())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok($name::from_wire(&s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use open_enum;
