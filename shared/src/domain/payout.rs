//! Where cash incentives are paid: a bank account or an e-wallet
//! (`PAYOUT_ACCOUNT`).

use super::code::code_enum;
use super::contact::Phone;

code_enum! {
    /// How incentives are paid.
    pub enum PayoutMethod as "payout method" {
        /// A bank account.
        Bank = "bank",
        /// An e-wallet, identified by its phone number.
        Ewallet = "ewallet",
    }
}

code_enum! {
    /// A bank or e-wallet provider.
    pub enum Provider as "payout provider" {
        /// Bank Negara Indonesia (10-digit accounts).
        Bni = "BNI",
        /// Bank Rakyat Indonesia (15-digit accounts).
        Bri = "BRI",
        /// Bank Mandiri (13-digit accounts).
        Mandiri = "MANDIRI",
        /// Bank Central Asia (10-digit accounts).
        Bca = "BCA",
        /// OVO e-wallet.
        Ovo = "OVO",
        /// GoPay e-wallet.
        Gopay = "GOPAY",
        /// LinkAja e-wallet.
        Linkaja = "LINKAJA",
        /// DANA e-wallet.
        Dana = "DANA",
    }
}

impl Provider {
    /// The method this provider pays through.
    pub const fn method(self) -> PayoutMethod {
        match self {
            Provider::Bni | Provider::Bri | Provider::Mandiri | Provider::Bca => PayoutMethod::Bank,
            Provider::Ovo | Provider::Gopay | Provider::Linkaja | Provider::Dana => {
                PayoutMethod::Ewallet
            }
        }
    }

    /// The number of digits of this bank's accounts (`None` for e-wallets).
    pub const fn account_digits(self) -> Option<usize> {
        match self {
            Provider::Bni | Provider::Bca => Some(10),
            Provider::Bri => Some(15),
            Provider::Mandiri => Some(13),
            _ => None,
        }
    }
}

/// Why a payout account is malformed for its method and provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PayoutError {
    /// The provider does not pay through the stated method.
    #[error("provider {provider} does not pay by {method}")]
    MethodMismatch {
        /// The stated method.
        method: PayoutMethod,
        /// The stated provider.
        provider: Provider,
    },
    /// A bank account that is not the bank's number of digits.
    #[error("a {provider} account has {digits} digits")]
    BankAccount {
        /// The bank.
        provider: Provider,
        /// The digits its accounts have.
        digits: usize,
    },
    /// An e-wallet account that is not an Indonesian mobile number.
    #[error("an e-wallet account is a mobile phone number")]
    WalletNotPhone,
    /// An e-wallet account that is not the registration's phone.
    #[error("the e-wallet account is not the registered phone")]
    WalletNotOwnPhone,
}

/// The account part of a payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayoutAccount {
    /// A bank account number (digits only).
    Bank(String),
    /// An e-wallet's phone number, normalised.
    Ewallet(Phone),
}

/// A payout destination that fits its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// The bank or e-wallet.
    pub provider: Provider,
    /// The account at that provider.
    pub account: PayoutAccount,
}

impl Payout {
    /// Checks an account against its provider and, when both are known, its
    /// method: bank accounts are exactly the bank's number of digits;
    /// e-wallet accounts are mobile numbers equal (after normalisation) to
    /// `phone`, the registration's own phone. When `phone` is unknown (missing
    /// or itself malformed) only the account's own form is checked.
    pub fn parse(
        method: Option<PayoutMethod>,
        provider: Provider,
        account: &str,
        phone: Option<&Phone>,
    ) -> Result<Payout, PayoutError> {
        if let Some(method) = method
            && method != provider.method()
        {
            return Err(PayoutError::MethodMismatch { method, provider });
        }
        let account = match provider.account_digits() {
            Some(digits) => {
                if account.len() != digits || !account.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(PayoutError::BankAccount { provider, digits });
                }
                PayoutAccount::Bank(account.to_owned())
            }
            None => {
                let wallet = Phone::parse(account).map_err(|_| PayoutError::WalletNotPhone)?;
                if phone.is_some_and(|phone| *phone != wallet) {
                    return Err(PayoutError::WalletNotOwnPhone);
                }
                PayoutAccount::Ewallet(wallet)
            }
        };
        Ok(Payout { provider, account })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_lengths() {
        let bank = Some(PayoutMethod::Bank);
        for (provider, digits) in [
            (Provider::Bni, 10),
            (Provider::Bri, 15),
            (Provider::Mandiri, 13),
            (Provider::Bca, 10),
        ] {
            let good = "1".repeat(digits);
            assert!(Payout::parse(bank, provider, &good, None).is_ok());
            let long = "1".repeat(digits + 1);
            let error = PayoutError::BankAccount { provider, digits };
            assert_eq!(Payout::parse(bank, provider, &long, None), Err(error));
        }
        let error = Payout::parse(bank, Provider::Bni, "12345-6789", None);
        assert!(error.is_err());
    }

    #[test]
    fn wallets_are_the_own_phone() {
        let phone = Phone::parse("+6281234567890").unwrap();
        let wallet = Some(PayoutMethod::Ewallet);
        let ok = Payout::parse(wallet, Provider::Ovo, "081234567890", Some(&phone));
        assert_eq!(ok.unwrap().account, PayoutAccount::Ewallet(phone));
        let other = Payout::parse(wallet, Provider::Dana, "081234567891", Some(&phone));
        assert_eq!(other, Err(PayoutError::WalletNotOwnPhone));
        let landline = Payout::parse(wallet, Provider::Gopay, "0215551234", None);
        assert_eq!(landline, Err(PayoutError::WalletNotPhone));
        let mismatch = Payout::parse(
            Some(PayoutMethod::Bank),
            Provider::Ovo,
            "081234567890",
            None,
        );
        assert!(matches!(mismatch, Err(PayoutError::MethodMismatch { .. })));
    }
}
