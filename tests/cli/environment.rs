//! No output depends on the time zone or the locale: the same bytes under every `TZ`, `LANG`
//! and `LC_ALL`.

use crate::support::plan;

#[test]
fn writes_the_same_bytes_in_every_time_zone_and_locale() {
    let zones = ["UTC", "Pacific/Auckland", "America/New_York"];
    let locales = ["C", "de_DE.UTF-8", "tr_TR.UTF-8"];
    for format in ["text", "json"] {
        let args = [
            "--start",
            "23:55",
            "--concentration",
            "50 mg/mL",
            "--explain",
            "--format",
            format,
        ];
        let reference = plan("73.3", &args)
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .output();
        assert_eq!(reference.code, 0, "{}", reference.stderr);
        for tz in zones {
            for locale in locales {
                let r = plan("73.3", &args)
                    .env("TZ", tz)
                    .env("LANG", locale)
                    .env("LC_ALL", locale)
                    .env("LC_NUMERIC", locale)
                    .env("LC_TIME", locale)
                    .output();
                assert_eq!(r.code, 0, "TZ={tz} LC_ALL={locale}: {}", r.stderr);
                assert!(
                    r.stdout == reference.stdout,
                    "{format} differs under TZ={tz} LC_ALL={locale}"
                );
                assert_eq!(r.stderr, reference.stderr);
            }
        }
    }
}

#[test]
fn writes_the_same_error_in_every_locale() {
    let reference = plan("82,5", &[])
        .env("LC_ALL", "C")
        .status(2)
        .stderr(
            "error: invalid `--weight`: `82,5` has a comma; write the decimal with a point, such \
             as `82.5`\n",
        )
        .run();
    for locale in ["de_DE.UTF-8", "tr_TR.UTF-8"] {
        let r = plan("82,5", &[])
            .env("LANG", locale)
            .env("LC_ALL", locale)
            .output();
        assert_eq!(r.code, 2);
        assert_eq!(r.stderr, reference.stderr, "{locale}");
    }
}
